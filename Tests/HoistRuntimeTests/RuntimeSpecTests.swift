import Foundation
import HoistOCI
@testable import HoistRuntime
import HoistTestSupport
import Testing

/// Validates JSON against the runtime-spec schemas in the shared conformance folder with a
/// stock draft-04 validator (python3-jsonschema), resolving `$ref`s in the schema directory.
enum RuntimeSpecSchema {
    static let directory = Interop.conformance("oci-runtime-spec").appendingPathComponent("schema")

    static let available: Bool =
        FileManager.default.fileExists(atPath: directory.path)
        && (try? ExternalCommand.run(["python3", "-c", "import jsonschema"]).status) == 0

    private static let script = """
        import json, sys, pathlib, jsonschema
        schema_dir = pathlib.Path(sys.argv[1]).resolve()
        schema = json.loads((schema_dir / sys.argv[2]).read_text())
        resolver = jsonschema.RefResolver(base_uri=schema_dir.as_uri() + "/", referrer=schema)
        try:
            document = json.loads(sys.stdin.read())
        except ValueError as error:
            print("not JSON:", error); sys.exit(1)
        errors = [e.message for e in jsonschema.Draft4Validator(schema, resolver=resolver).iter_errors(document)]
        print("\\n".join(errors)); sys.exit(1 if errors else 0)
        """

    /// The validator's complaints about `json` as `schema` (empty when valid).
    static func problems(_ json: Data, schema: String = "config-schema.json") throws -> [String] {
        let output = try ExternalCommand.run(["python3", "-W", "ignore", "-c", script, directory.path, schema], input: json)
        guard output.status != 0 else { return [] }
        let lines = (output.text + output.errorText).split(separator: "\n").map(String.init)
        return lines.isEmpty ? ["validator exited \(output.status)"] : lines
    }

    struct Document: Sendable, CustomTestStringConvertible {
        let kind: String
        let file: String
        let good: Bool
        var testDescription: String { "\(kind)/\(good ? "good" : "bad")/\(file)" }
    }

    /// schema/test/TYPE/{good,bad}/*.json.
    static let documents: [Document] = {
        var result: [Document] = []
        for kind in ["config", "features", "state"] {
            for verdict in ["good", "bad"] {
                let folder = directory.appendingPathComponent("test/\(kind)/\(verdict)")
                for file in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() {
                    result.append(Document(kind: kind, file: file, good: verdict == "good"))
                }
            }
        }
        return result
    }()
}

@Suite("RuntimeSpec schema", .enabled(if: RuntimeSpecSchema.available, "needs the conformance folder and python3-jsonschema"))
struct RuntimeSpecSchemaTests {
    /// The validator itself gives the upstream verdicts, so a pass below means something.
    @Test(arguments: RuntimeSpecSchema.documents)
    func validatorAgreesWithUpstream(_ document: RuntimeSpecSchema.Document) throws {
        let path = RuntimeSpecSchema.directory.appendingPathComponent("test/\(document.kind)/\(document.good ? "good" : "bad")/\(document.file)")
        let problems = try RuntimeSpecSchema.problems(try Data(contentsOf: path), schema: "\(document.kind)-schema.json")
        #expect(problems.isEmpty == document.good, "problems: \(problems)")
    }

    @Test func documentCount() {
        #expect(RuntimeSpecSchema.documents.count == 19)
    }

    @Test(arguments: [
        ContainerSettings(arguments: ["true"]),
        ContainerSettings(
            arguments: ["sh", "-c", "echo"], environment: ["A=b"], workingDirectory: "/srv", user: "daemon:root",
            additionalGroups: ["65534"], hostname: "h", network: .host,
            mounts: [.bind(source: "/tmp", destination: "/data", readOnly: true), .tmpfs(destination: "/t", sizeBytes: 4096)],
            resources: ResourceLimits(memoryBytes: 64 << 20, memorySwapBytes: 128 << 20, cpuQuota: 50_000, pidsLimit: 100),
            capabilitiesAdded: ["NET_ADMIN"], capabilitiesDropped: ["ALL"], readOnlyRootFilesystem: true),
    ])
    func generatedConfigIsValid(_ settings: ContainerSettings) throws {
        let directory = try TemporaryDirectory()
        try Data("root:x:0:0::/root:/bin/sh\ndaemon:x:1:1::/:/bin/false\n".utf8).write(to: directory.appending("passwd"))
        try FileManager.default.createDirectory(at: directory.appending("rootfs/etc"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: directory.appending("passwd"), to: directory.appending("rootfs/etc/passwd"))
        try Data("root:x:0:\n".utf8).write(to: directory.appending("rootfs/etc/group"))
        let spec = try RuntimeSpecBuilder(settings).build(
            rootfs: directory.appending("rootfs").path, bundle: directory.path, cgroupsPath: "/hoist/test")
        let json = try JSONEncoder().encode(spec)
        let problems = try RuntimeSpecSchema.problems(json)
        #expect(problems.isEmpty, "\(problems)\n\(String(decoding: json, as: UTF8.self))")
        #expect(try JSONDecoder().decode(RuntimeSpec.self, from: json) == spec)
    }
}

@Suite("RuntimeSpecBuilder")
struct RuntimeSpecBuilderTests {
    let directory: TemporaryDirectory
    let rootfs: String

    init() throws {
        directory = try TemporaryDirectory()
        rootfs = directory.appending("rootfs").path
        try FileManager.default.createDirectory(atPath: rootfs + "/etc", withIntermediateDirectories: true)
        try Data(
            """
            root:x:0:0:root:/root:/bin/sh
            app:x:1000:1000:App:/home/app:/bin/sh
            # a comment
            svc:x:999:999::/var/svc:/bin/false

            """.utf8
        ).write(to: URL(fileURLWithPath: rootfs + "/etc/passwd"))
        try Data(
            """
            root:x:0:
            app:x:1000:
            svc:x:999:
            audio:x:29:app,svc
            video:x:44:app

            """.utf8
        ).write(to: URL(fileURLWithPath: rootfs + "/etc/group"))
    }

    func build(_ configure: (inout ContainerSettings) -> Void) throws -> RuntimeSpec {
        var settings = ContainerSettings(arguments: ["true"])
        configure(&settings)
        return try RuntimeSpecBuilder(settings).build(rootfs: rootfs, bundle: directory.path)
    }

    /// BuildKit's RUN steps: the groups that list the user (none when a group is named).
    @Test(arguments: [
        ("app", 1000, 1000, [29, 44], "/home/app"),
        ("svc", 999, 999, [29], "/var/svc"),
        ("app:svc", 1000, 999, [], "/home/app"),
        ("1000", 1000, 1000, [29, 44], "/home/app"),
        ("4242", 4242, 0, [], "/"),
        ("4242:4343", 4242, 4343, [], "/"),
        ("0:audio", 0, 29, [], "/root"),
    ] as [(String, UInt32, UInt32, [UInt32], String)])
    func usersResolveFromTheImage(_ user: String, _ uid: UInt32, _ gid: UInt32, _ groups: [UInt32], _ home: String) throws {
        let spec = try build {
            $0.user = user
            $0.primaryGroupIsSupplementary = false
        }
        let process = try #require(spec.process)
        #expect(process.user.uid == uid && process.user.gid == gid, "user \(user): \(process.user)")
        #expect((process.user.additionalGids ?? []) == groups, "user \(user): \(process.user)")
        #expect(process.env?.contains("HOME=" + home) == true, "env \(process.env ?? [])")
    }

    /// Docker's containers: the primary group first, then the same.
    @Test(arguments: [
        ("app", [1000, 29, 44]), ("svc", [999, 29]), ("app:svc", [999]), ("4242", [0]), ("4242:4343", [4343]), ("0:audio", [29]),
    ] as [(String, [UInt32])])
    func containersAlsoHaveTheirPrimaryGroup(_ user: String, _ groups: [UInt32]) throws {
        let spec = try build { $0.user = user }
        #expect(spec.process?.user.additionalGids == groups, "user \(user)")
    }

    @Test func groupAddByNameAndNumber() throws {
        let spec = try build {
            $0.user = "svc"
            $0.additionalGroups = ["video", "12345"]
        }
        #expect(spec.process?.user.additionalGids == [999, 29, 44, 12345])
    }

    @Test(arguments: ["nobody", "app:nogroup", "1:missing"])
    func unknownNamesAreNotFound(_ user: String) throws {
        let error = #expect(throws: RuntimeError.self) { try build { $0.user = user } }
        #expect(error?.code == .notFound)
    }

    @Test func imagePathIsKeptAndDefaultAddedOtherwise() throws {
        let own = try build { $0.environment = ["PATH=/opt/bin", "X=1"] }
        #expect(own.process?.env?.filter { $0.hasPrefix("PATH=") } == ["PATH=/opt/bin"])
        let none = try build { $0.environment = ["X=1"] }
        #expect(none.process?.env?.first == "PATH=" + RuntimeSpecBuilder.defaultPath)
    }

    @Test func dockerDefaults() throws {
        let spec = try build { _ in }
        #expect(spec.process?.capabilities?.bounding == RuntimeSpecBuilder.defaultCapabilities)
        #expect(spec.linux?.maskedPaths?.contains("/proc/kcore") == true)
        #expect(spec.linux?.readonlyPaths == ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"])
        #expect(Set(spec.linux?.namespaces?.map(\.type) ?? []) == ["pid", "ipc", "uts", "mount", "network"])
        let destinations = spec.mounts?.map(\.destination) ?? []
        for expected in ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/etc/hosts", "/etc/resolv.conf"] {
            #expect(destinations.contains(expected), "missing \(expected) in \(destinations)")
        }
        let host = try build { $0.network = .host }
        #expect(host.linux?.namespaces?.contains { $0.type == "network" } == false)
    }

    @Test func capabilityChanges() throws {
        let all = try build { $0.capabilitiesAdded = ["ALL"] }
        // Every capability this process may grant (a VM's bounding set may lack some).
        #expect(Set(all.process?.capabilities?.bounding ?? []) == RuntimeSpecBuilder.grantable)
        #expect(RuntimeSpecBuilder.grantable.isSubset(of: RuntimeSpecBuilder.allCapabilities))
        let none = try build {
            $0.capabilitiesDropped = ["all"]
            $0.capabilitiesAdded = ["cap_kill"]
        }
        #expect(none.process?.capabilities?.effective == [])
        let some = try build { $0.capabilitiesDropped = ["NET_RAW", "cap_mknod"] }
        #expect(some.process?.capabilities?.bounding?.contains("CAP_NET_RAW") == false)
        #expect(some.process?.capabilities?.bounding?.contains("CAP_MKNOD") == false)
        #expect(some.process?.capabilities?.bounding?.count == RuntimeSpecBuilder.defaultCapabilities.count - 2)
        let error = #expect(throws: RuntimeError.self) { try build { $0.capabilitiesAdded = ["FLY"] } }
        #expect(error?.code == .invalidArgument)
    }

    @Test func limitsAndUserMountsReplaceDefaults() throws {
        let spec = try build {
            $0.resources = ResourceLimits(memoryBytes: 1 << 30, cpuQuota: 25_000, pidsLimit: 64)
            $0.mounts = [.tmpfs(destination: "/dev/shm", sizeBytes: 1 << 20)]
        }
        #expect(spec.linux?.resources?.memory?.limit == 1 << 30)
        #expect(spec.linux?.resources?.cpu == RuntimeSpec.CPU(quota: 25_000, period: 100_000))
        #expect(spec.linux?.resources?.pids?.limit == 64)
        let shm = spec.mounts?.filter { $0.destination == "/dev/shm" } ?? []
        #expect(shm.count == 1 && shm.first?.options?.contains("size=1048576") == true, "\(shm)")
    }

    @Test func workingDirectoryIsCreatedInsideTheRoot() throws {
        // A symlink pointing out of the root must not lead the mkdir out of it.
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/escape", withDestinationPath: directory.appending("outside").path)
        _ = try build { $0.workingDirectory = "/escape/work" }
        #expect(!FileManager.default.fileExists(atPath: directory.appending("outside/work").path))
        #expect(FileManager.default.fileExists(atPath: rootfs + directory.appending("outside/work").path))
    }

    @Test func emptyCommandIsRefused() throws {
        let error = #expect(throws: RuntimeError.self) { try build { $0.arguments = [] } }
        #expect(error?.code == .invalidArgument)
    }
}

@Suite("ContainerSettings from an image")
struct ContainerSettingsImageTests {
    static let image = ContainerConfig(
        user: "app", env: ["PATH=/opt/bin:/bin", "MODE=image"], entrypoint: ["/entry.sh"], cmd: ["serve", "--port=80"],
        workingDir: "/srv")

    @Test func imageDefaults() {
        let settings = ContainerSettings(image: Self.image)
        #expect(settings.arguments == ["/entry.sh", "serve", "--port=80"])
        #expect(settings.user == "app" && settings.workingDirectory == "/srv")
        #expect(settings.environment == ["PATH=/opt/bin:/bin", "MODE=image"])
    }

    @Test func commandReplacesCmdAndEnvironmentOverrides() {
        let settings = ContainerSettings(image: Self.image, command: ["shell"], environment: ["MODE=run", "EXTRA=1"])
        #expect(settings.arguments == ["/entry.sh", "shell"])
        #expect(settings.environment == ["PATH=/opt/bin:/bin", "MODE=run", "EXTRA=1"])
    }

    @Test func overriddenEntrypointDropsTheImageCmd() {
        #expect(ContainerSettings(image: Self.image, entrypoint: ["/bin/sh"]).arguments == ["/bin/sh"])
        #expect(ContainerSettings(image: Self.image, entrypoint: [], command: ["ls"]).arguments == ["ls"])
        #expect(ContainerSettings(image: nil, command: ["true"]).arguments == ["true"])
        #expect(ContainerSettings(image: nil).workingDirectory == "/")
    }
}
