import Foundation
import Hoist
import HoistArchive
import HoistBuild
import HoistDockerEngine
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// Every case of `Tests/Differential` built by Hoist and by Docker's BuildKit from the same base,
/// and by Hoist on the native and on the docker backend; the images' files and configs must be
/// equal (see that folder's README).
@Suite("Differential builds against Docker BuildKit", .serialized,
       .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc")))
struct DifferentialTests {
    static let corpus = Interop.packageRoot.appendingPathComponent("Tests/Differential")
    static let cases: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? [])
        .filter { FileManager.default.fileExists(atPath: corpus.appendingPathComponent("\($0)/Dockerfile").path) }
        .sorted()

    /// Files `docker export` shows that belong to the container, not the image.
    static let containerOnly: Set<String> = [".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab"]

    @Test func theCorpusIsThere() {
        #expect(Self.cases.count >= 10, "differential cases found: \(Self.cases)")
    }

    @Test(arguments: cases)
    func buildsMatchDocker(name: String) async throws {
        try await Self.holdingBase(of: name) { try await compareWithDocker(name) }
    }

    private func compareWithDocker(_ name: String) async throws {
        let fixture = try BusyboxFixture()
        let base = "busybox:latest"
        try ExternalCommand.checked([Interop.docker, "import", "-c", "CMD [\"sh\"]", fixture.rootfs.path, base])
        let context = try Self.context(name, in: fixture.directory)
        let contextBefore = try FileTree(root: context.path)
        let tag = uniqueDockerName("diff-\(name)")
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", tag]) }

        // A case's `base/` is built first by each builder, under the name its Dockerfile uses.
        let baseContext = context.appendingPathComponent("base")
        if FileManager.default.fileExists(atPath: baseContext.path) {
            try ExternalCommand.checked(
                [Interop.docker, "build", "--network=none", "-t", Self.baseName, baseContext.path], environment: ["DOCKER_BUILDKIT": "1"])
            _ = try await fixture.client.build(BuildOptions(context: baseContext, tags: [Self.baseName]))
        }
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", Self.baseName]) }
        let (arguments, target) = try Self.buildOptions(name)
        var dockerCommand = [Interop.docker, "build", "--network=none", "--progress=plain", "-t", tag]
        dockerCommand += arguments.sorted { $0.key < $1.key }.flatMap { ["--build-arg", "\($0.key)=\($0.value)"] }
        dockerCommand += target.map { ["--target", $0] } ?? []
        let docker = try ExternalCommand.run(dockerCommand + [context.path], environment: ["DOCKER_BUILDKIT": "1"])
        let hoistResult = await Result(catching: {
            try await fixture.client.build(BuildOptions(context: context, tags: [tag], buildArguments: arguments, target: target))
        })
        // Steps may write to what they mount (`rw`), never through to the context.
        let contextChanges = try FileTree(root: context.path).differences(from: contextBefore)
        #expect(contextChanges.isEmpty, "the build changed its context:\n\(contextChanges.joined(separator: "\n"))")

        if name.hasPrefix("fail-") {
            #expect(docker.status != 0, "docker built \(name), which should fail")
            guard case .failure(let error) = hoistResult else {
                Issue.record("hoist built \(name), which should fail")
                return
            }
            #expect(!"\(error)".isEmpty)
            return
        }
        #expect(docker.status == 0, "docker build of \(name) failed: \(docker.errorText.suffix(2000))")
        let image = try hoistResult.get()
        guard docker.status == 0 else { return }

        // Configs.
        let dockerConfig = try Self.dockerConfig(tag)
        let hoistConfig = try #require(fixture.client.inspect(image.id.description).config)
        #expect(Self.fields(hoistConfig) == Self.fields(dockerConfig),
                "config differs for \(name):\nhoist:  \(Self.fields(hoistConfig))\ndocker: \(Self.fields(dockerConfig))")

        // Layers: one per step that makes one, as BuildKit cuts them.
        let dockerLayers = try ExternalCommand.checked([Interop.docker, "image", "inspect", "--format", "{{len .RootFS.Layers}}", tag]).text
        #expect(Int(dockerLayers.trimmingCharacters(in: .whitespacesAndNewlines)) == (try fixture.client.inspect(image.id.description).layers.count),
                "layer count differs for \(name): docker has \(dockerLayers)")

        // Root filesystems.
        let directory = fixture.directory
        let exported = try Self.dockerRootfs(tag, into: directory.appending("docker"))
        let built = try Self.hoistRootfs(fixture.client, image: image.id.description, into: directory.appending("hoist"))
        let differences = exported.differences(from: built).filter { line in
            !Self.expectedDifferences(name).contains { line.hasPrefix("\($0): ") }
        }
        #expect(differences.isEmpty, "files differ for \(name) (docker ≠ hoist):\n\(differences.prefix(40).joined(separator: "\n"))")
    }

    // MARK: Helpers

    /// The name a case's `base/` image is built under.
    static let baseName = "hoist-differential-base"

    /// Runs `body` (a case's build) holding the daemon's ``baseName`` when case `name` has a
    /// base, which the suites that build the corpus in the one daemon each make and remove.
    static func holdingBase(of name: String, _ body: () async throws -> Void) async throws {
        guard FileManager.default.fileExists(atPath: corpus.appendingPathComponent(name).appendingPathComponent("base").path) else {
            return try await body()
        }
        try await SharedNameLock.holding(baseName, body)
    }

    /// The build context of a case: its folder, or, when it has a `setup.sh` (for what git
    /// cannot keep: hard links, directory modes), a copy of it in `directory` that the script
    /// has prepared (and is then removed from).
    static func context(_ name: String, in directory: TemporaryDirectory) throws -> URL {
        let folder = corpus.appendingPathComponent(name)
        let script = folder.appendingPathComponent("setup.sh")
        guard FileManager.default.fileExists(atPath: script.path) else { return folder }
        let copy = directory.appending("context-\(name)")
        try ExternalCommand.checked(["cp", "-a", folder.path, copy.path])
        try ExternalCommand.checked(["sh", "-eu", "setup.sh"], directory: copy)
        try FileManager.default.removeItem(at: copy.appendingPathComponent("setup.sh"))
        return copy
    }

    /// A copy of the whole corpus at `destination`, each case's `setup.sh` run there (and
    /// removed): the contexts builds elsewhere (another user, a container) read.
    static func prepareCorpus(at destination: URL) throws {
        try ExternalCommand.checked(["cp", "-a", corpus.path, destination.path])
        for name in try FileManager.default.contentsOfDirectory(atPath: destination.path) {
            let folder = destination.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("setup.sh").path) else { continue }
            try ExternalCommand.checked(["sh", "-eu", "setup.sh"], directory: folder)
            try FileManager.default.removeItem(at: folder.appendingPathComponent("setup.sh"))
        }
    }

    /// A case's `build-options` file: `--build-arg NAME=value` and `--target NAME` lines.
    static func buildOptions(_ name: String) throws -> (arguments: [String: String], target: String?) {
        let file = corpus.appendingPathComponent("\(name)/build-options")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return ([:], nil) }
        var arguments: [String: String] = [:]
        var target: String?
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard words.count == 2 else { continue }
            switch words[0] {
            case "--build-arg":
                let pair = words[1].split(separator: "=", maxSplits: 1).map(String.init)
                arguments[pair[0]] = pair.count > 1 ? pair[1] : ""
            case "--target": target = words[1]
            default: throw UnknownOption(line: String(line))
            }
        }
        return (arguments, target)
    }

    /// Paths a case's `expected-differences` file lists (with the reason in its comments): known
    /// differences between this Docker version's BuildKit and current BuildKit, which Hoist follows.
    static func expectedDifferences(_ name: String) -> [String] {
        listedPaths(name, in: "expected-differences")
    }

    /// The paths a case's file `list` names, one a line, `#` starting a comment line (the reason).
    static func listedPaths(_ name: String, in list: String) -> [String] {
        let file = corpus.appendingPathComponent("\(name)/\(list)")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
    }

    /// The config fields compared, as one comparable value.
    struct Fields: Equatable, CustomStringConvertible {
        var env: [String]
        var cmd: [String]?
        var entrypoint: [String]?
        var workingDir: String
        var user: String
        var labels: [String: String]
        var exposedPorts: [String]
        var volumes: [String]
        var healthcheck: [String]?
        var stopSignal: String?
        var onBuild: [String]

        var description: String {
            "env=\(env) cmd=\(cmd ?? []) entrypoint=\(entrypoint ?? []) workdir=\(workingDir) user=\(user) labels=\(labels) "
                + "ports=\(exposedPorts) volumes=\(volumes) health=\(healthcheck ?? []) stop=\(stopSignal ?? "") onbuild=\(onBuild)"
        }
    }

    static func fields(_ config: ContainerConfig) -> Fields {
        Fields(
            env: config.env ?? [], cmd: config.cmd.flatMap { $0.isEmpty ? nil : $0 },
            entrypoint: config.entrypoint.flatMap { $0.isEmpty ? nil : $0 }, workingDir: config.workingDir ?? "",
            user: config.user ?? "", labels: config.labels ?? [:], exposedPorts: (config.exposedPorts ?? []).sorted(),
            volumes: (config.volumes ?? []).sorted(), healthcheck: config.healthcheck?.test, stopSignal: config.stopSignal,
            onBuild: config.onBuild ?? [])
    }

    static func dockerConfig(_ tag: String) throws -> ContainerConfig {
        let output = try ExternalCommand.checked([Interop.docker, "image", "inspect", "--format", "{{json .Config}}", tag])
        return try JSONDecoder().decode(ContainerConfig.self, from: output.standardOutput)
    }

    static func dockerRootfs(_ tag: String, into directory: URL) throws -> FileTree {
        let container = try ExternalCommand.checked([Interop.docker, "create", "--entrypoint", "", tag, "sh"]).text
            .trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", container]) }
        let archive = directory.appendingPathExtension("tar")
        try ExternalCommand.checked([Interop.docker, "export", "-o", archive.path, container])
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try ExternalCommand.checked(["tar", "--numeric-owner", "-xpf", archive.path, "-C", directory.path])
        return try FileTree(root: directory.path) { containerOnly.contains($0) || $0.hasPrefix("dev/") || $0.hasPrefix("proc/") || $0.hasPrefix("sys/") }
    }

    static func hoistRootfs(_ client: Client, image: String, into directory: URL) throws -> FileTree {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let applier = try LayerApplier(root: directory.path)
        for layer in try client.inspect(image).layers {
            let path = try #require(client.store.content.path(try layer.digest))
            _ = try applier.apply(try FileByteSource(path: path))
        }
        return try FileTree(root: directory.path) { containerOnly.contains($0) || $0.hasPrefix("dev/") || $0.hasPrefix("proc/") || $0.hasPrefix("sys/") }
    }
}

/// A `build-options` line the harness does not understand.
struct UnknownOption: Error, CustomStringConvertible {
    let line: String
    var description: String { "unknown build-options line: \(line)" }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
