import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistStore
import HoistTestSupport
import Testing

/// `Client.image(_:pullPolicy:)`, what a build's `FROM` uses: when the registry is asked.
@Suite(.enabled(if: Interop.available("docker-registry")))
struct PullPolicyTests {
    @Test func policiesDecideWhenTheRegistryIsAsked() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let source = try harness.client("source")
            let name = "\(registry.host)/base/busybox:1"
            try harness.importBusybox(into: source, as: name)
            let pushed = try await source.push(name, configuration: harness.configuration())

            let builder = try harness.client("builder")
            do {
                _ = try await builder.image(name, pullPolicy: .never, configuration: harness.configuration())
                Issue.record("policy never pulled an image")
            } catch let error as ClientError {
                #expect(error.code == .notFound, "\(error)")
            }
            let missing = try await builder.image(name, pullPolicy: .missing, configuration: harness.configuration())
            #expect(missing.digest == (try pushed.target.digest))

            // With the registry gone, only `always` needs it.
            registry.server.stop()
            let offline = harness.configuration(retry: .never)
            #expect(try await builder.image(name, pullPolicy: .missing, configuration: offline).digest == missing.digest)
            #expect(try await builder.image(name, pullPolicy: .never, configuration: offline).digest == missing.digest)
            do {
                _ = try await builder.image(name, pullPolicy: .always, configuration: offline)
                Issue.record("policy always did not ask the registry")
            } catch let error as RegistryError {
                #expect(error.code == .unavailable, "\(error)")
            }
        }
    }

    @Test func cliPullsThePlatformAskedForWithRawJSONProgress() async throws {
        let harness = try RegistryHarness()
        let registry = try TestRegistry(in: try harness.subdirectory("registry"))
        try await registry.explainingFailures {
            let source = try harness.client("source")
            let platforms = [Platform(os: "linux", architecture: "amd64"), Platform(os: "linux", architecture: "riscv64")]
            let manifests = try platforms.map {
                try ImageFixtures.writeImage(into: source.store, layers: [ImageFixtures.randomBytes(3 << 20)], platform: $0)
            }
            let index = try ImageFixtures.writeIndex(into: source.store, manifests: manifests)
            let name = "\(registry.host)/cli/multi:1"
            try source.store.setName(try Reference(parsing: name).description, target: index, created: Date())
            _ = try await source.push(name, configuration: harness.configuration())

            let root = harness.directory.appending("stores/cli")
            let pull = try Interop.hoist(["pull", "--platform", "linux/riscv64", "--progress", "rawjson", name], root: root)
            #expect(pull.status == 0, "\(pull.errorText)")
            #expect(pull.text.contains("Digest: \(manifests[1].digestString)"), "\(pull.text)")
            let events = pull.errorText.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            // BuildKit's SolveStatus shape: each blob a status named by its phase.
            let statuses = events.flatMap { $0["statuses"] as? [[String: Any]] ?? [] }
            #expect(statuses.contains { $0["name"] as? String == "downloading" }, "\(pull.errorText)")
            #expect(statuses.filter { $0["name"] as? String == "complete" && $0["completed"] != nil }.count == 2, "\(pull.errorText)")
            let inspect = try Interop.hoist(["inspect", name], root: root)
            #expect(inspect.text.contains("riscv64"), "\(inspect.text)")
        }
    }
}
