import ArgumentParser
import Foundation
import HoistRegistry

/// Options of the commands that talk to registries.
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("insecure-registry"), help: ArgumentHelp("A registry (host:port) that may be reached over plain HTTP or unverified TLS; repeatable. Loopback registries always may.", valueName: "host"))
    var insecureRegistries: [String] = []

    @Option(name: .customLong("certs-dir"), help: ArgumentHelp("Per-registry CA and client certificates, laid out as Docker's DIR/HOST:PORT/ca.crt.", valueName: "dir"))
    var certificatesDirectory = "/etc/docker/certs.d"

    @Option(name: .long, help: "Tries for a transfer that fails transiently (refused or reset connection, timeout, 429, 5xx; default 6, for s2i 7).")
    var retries: Int?

    var configuration: RegistryConfiguration { configuration(retry: .standard) }

    /// The settings, with `retry` unless `--retries` gives the number of tries.
    func configuration(retry: RetryPolicy) -> RegistryConfiguration {
        var policy = retry
        if let retries { policy.maximumAttempts = max(1, retries) }
        return RegistryConfiguration(
            insecureRegistries: Set(insecureRegistries),
            certificatesDirectory: URL(fileURLWithPath: certificatesDirectory, isDirectory: true),
            retry: policy)
    }
}
