import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistStore
import HoistTestSupport

/// A temporary directory holding the stores, Docker config and servers of one registry test.
final class RegistryHarness: Sendable {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    /// A client on a fresh store called `name`.
    func client(_ name: String) throws -> Client {
        try Client(root: StoreRoot(directory.appending("stores/\(name)")))
    }

    /// The Docker config directory tests log in to (never the user's own).
    var dockerConfigDirectory: URL { directory.appending("docker-config") }

    /// Settings isolated from the user's credentials, with quick retries.
    func configuration(
        retry: RetryPolicy = RetryPolicy(maximumAttempts: 4, initialDelay: .milliseconds(200)),
        certificatesDirectory: URL? = nil, loopbackIsInsecure: Bool = true, chunkSize: Int? = nil
    ) -> RegistryConfiguration {
        RegistryConfiguration(
            loopbackIsInsecure: loopbackIsInsecure,
            certificatesDirectory: certificatesDirectory ?? directory.appending("no-certs"),
            credentials: CredentialStore(configFile: DockerConfigFile(directory: dockerConfigDirectory)),
            retry: retry, uploadChunkSize: chunkSize)
    }

    /// Imports the busybox root filesystem into `client` as `name`.
    func importBusybox(into client: Client, as name: String) throws {
        let rootfs = directory.appending("busybox-rootfs.tar")
        if !FileManager.default.fileExists(atPath: rootfs.path) {
            try Interop.makeBusyboxRootfs(at: rootfs)
        }
        _ = try client.importImage(rootfs: rootfs, as: name, changes: ["CMD [\"/bin/sh\"]"])
    }

    /// A new directory inside the harness.
    func subdirectory(_ name: String) throws -> URL {
        let url = directory.appending(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Collects progress events from concurrent transfers.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [TransferProgress] = []
    private let onEvent: (@Sendable (TransferProgress) -> Void)?

    init(onEvent: (@Sendable (TransferProgress) -> Void)? = nil) {
        self.onEvent = onEvent
    }

    var handler: TransferProgressHandler {
        { [self] event in
            lock.withLock { events.append(event) }
            onEvent?(event)
        }
    }

    var all: [TransferProgress] { lock.withLock { events } }

    /// The last phase of each blob, by digest.
    var finalPhases: [Digest: TransferProgress.Phase] {
        all.reduce(into: [:]) { $0[$1.digest] = $1.phase }
    }

    func phases(_ phase: TransferProgress.Phase) -> Set<Digest> {
        Set(all.filter { $0.phase == phase }.map(\.digest))
    }
}
