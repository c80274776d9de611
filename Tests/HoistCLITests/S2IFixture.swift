import Foundation
import Hoist
import HoistBuild
import HoistDockerEngine
import HoistS2I
import HoistStore
import HoistTestSupport
import Synchronization

/// S2I's own test builder images (../shared/conformance/source-to-image, read in place) built
/// as upstream builds them — each `images/NAME` with a copy of `scripts/` in its context — on
/// a busybox base made from Debian's busybox-static, in a client of `backend`. Builders are
/// built on first use. On the docker backend the images live in the daemon under names of
/// their own (`hoist-s2i-…/NAME`, the fixtures' `FROM` lines rewritten to them), removed by
/// ``tearDown()``.
final class S2IFixture: Sendable {
    let directory: TemporaryDirectory
    let store: URL
    let client: Client
    let backend: Backend
    /// An application source with a Gemfile, as S2I's tests use.
    let application: URL
    /// Where the images are named: `sti_test` natively, a name of this fixture's on docker.
    let namespace: String
    private let built = Mutex<[String: Task<String, any Error>]>([:])

    static let fixtures = Interop.conformance("source-to-image")
    /// The fixtures' scripts, as a `file://` scripts URL.
    static let scriptsURL = "file://" + fixtures.appendingPathComponent("scripts/.s2i/bin").path

    init(_ backend: Backend = .native) async throws {
        self.backend = backend
        directory = try TemporaryDirectory()
        store = directory.appending("store")
        namespace = backend == .docker ? "hoist-s2i-\(UUID().uuidString.prefix(8).lowercased())" : "sti_test"
        client = try Client(root: StoreRoot(store), backend: backend)
        application = directory.appending("app")
        try FileManager.default.createDirectory(at: application, withIntermediateDirectories: true)
        try Data("source 'https://rubygems.org'\n".utf8).write(to: application.appendingPathComponent("Gemfile"))

        // The base: Debian's busybox-static, whose busybox lacks upstream's `adduser` applet
        // and has a /usr/bin the fixtures make themselves; a small stand-in writes the passwd
        // and group lines the images need.
        let native = backend == .docker ? try Client(root: StoreRoot(directory.appending("base-store"))) : client
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        try native.importImage(rootfs: rootfs, as: "\(namespace)-base/busybox", changes: ["CMD [\"sh\"]"])
        let context = directory.appending("busybox-context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("""
            FROM \(namespace)-base/busybox
            RUN rmdir /usr/bin
            COPY <<'EOF' /bin/adduser
            #!/bin/sh
            uid=1000 home= shell=/bin/sh
            while [ $# -gt 1 ]; do case "$1" in -u) uid=$2; shift 2;; -h) home=$2; shift 2;; -s) shell=$2; shift 2;; *) shift;; esac; done
            name=$1; home=${home:-/home/$name}
            echo "$name:x:$uid:$uid::$home:/bin/sh" >> /etc/passwd
            echo "$name:x:$uid:" >> /etc/group
            mkdir -p "$home" && chown "$uid:$uid" "$home"
            EOF
            RUN chmod 755 /bin/adduser
            """.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        try await native.build(BuildOptions(context: context, tags: [busybox]))
        if backend == .docker {
            let archive = directory.appending("busybox.tar")
            try await native.save([busybox], to: archive)
            let engine = try await EngineClient.connect()
            try await engine.loadImages(from: archive)
            try? await engine.shutdown()
        }
    }

    /// The busybox base's name.
    var busybox: String { backend == .docker ? "\(namespace)/busybox" : "busybox" }

    /// The name of fixture builder `name` (`sti-fake-user` …), built on first use.
    func builder(_ name: String) async throws -> String {
        let task = built.withLock { tasks in
            if let task = tasks[name] { return task }
            let task = Task { try await self.build(name) }
            tasks[name] = task
            return task
        }
        return try await task.value
    }

    private func build(_ name: String) async throws -> String {
        let source = Self.fixtures.appendingPathComponent("images/\(name)")
        var dockerfile = try String(contentsOf: source.appendingPathComponent("Dockerfile"), encoding: .utf8)
        if dockerfile.contains("FROM sti_test/sti-fake") { _ = try await builder("sti-fake") }
        dockerfile = dockerfile.replacingOccurrences(of: "FROM sti_test/", with: "FROM \(namespace)/")
            .replacingOccurrences(of: "FROM busybox", with: "FROM \(busybox)")
        let context = directory.appending("builder-\(name)")
        try FileManager.default.copyItem(at: source, to: context)
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("scripts"), to: context.appendingPathComponent("scripts"))
        let file = directory.appending("builder-\(name).Dockerfile")
        try Data(dockerfile.utf8).write(to: file)
        let tag = "\(namespace)/\(name)"
        try await client.build(BuildOptions(context: context, dockerfile: file, tags: [tag]))
        return tag
    }

    /// Builds `dockerfile` (a context of its own) as `tag`; `FROM busybox` means the base.
    @discardableResult
    func build(_ tag: String, dockerfile: String) async throws -> String {
        let context = directory.appending("context-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        let text = dockerfile.replacingOccurrences(of: "FROM busybox", with: "FROM \(busybox)")
            .replacingOccurrences(of: "FROM sti_test/", with: "FROM \(namespace)/")
        try Data(text.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        try await client.build(BuildOptions(context: context, tags: [tag]))
        return tag
    }

    /// A request for `builder` on the application source.
    func request(_ builder: String, tag: String?, scriptsURL: String? = nil) -> S2IRequest {
        var request = S2IRequest(source: application, builderImage: builder, tag: tag)
        request.scriptsURL = scriptsURL
        return request
    }

    /// Runs `command` (the image's CMD when nil) in `image` on the fixture's backend.
    func run(_ image: String, _ command: [String]? = nil, entrypoint: [String]? = nil) async throws -> ContainerRun {
        var options: [ContainerOption] = []
        if let command { options.append(.command(command)) }
        if let entrypoint { options.append(.entrypoint(entrypoint)) }
        return try await client.image(image).instantiate(options).run()
    }

    /// The image's command (its run script) run, then `ls` of what S2I's tests look for.
    func runAndList(_ image: String) async throws -> String {
        let command = try await settings(of: image).cmd
        let run = try await self.run(image, command, entrypoint: ["/bin/sh", "-c", "\"$@\" && ls /sti-fake /sti-fake/src", "run"])
        guard run.exitCode == 0 else { return "exit \(run.exitCode): \(run.combined)" }
        return run.standardOutput
    }

    /// What an image's config says, as S2I's tests look at it.
    struct Settings {
        var id: String
        var cmd: [String]
        var user: String
        var labels: [String: String]
    }

    /// The settings of `image` on the fixture's backend.
    func settings(of image: String) async throws -> Settings {
        if backend == .docker {
            let engine = try await EngineClient.connect()
            defer { Task { try? await engine.shutdown() } }
            let details = try await engine.inspectImage(image)
            return Settings(id: details.id, cmd: details.config?.cmd ?? [], user: details.config?.user ?? "", labels: details.config?.labels ?? [:])
        }
        let details = try client.inspect(image)
        return Settings(
            id: details.id.description, cmd: details.config?.cmd ?? [], user: details.config?.user ?? "", labels: details.config?.labels ?? [:])
    }

    /// Whether the backend has image `name`.
    func exists(_ name: String) async -> Bool {
        await client.image(name).exists()
    }

    /// Removes what the fixture made in a daemon.
    func tearDown() async {
        guard backend == .docker, let engine = try? await EngineClient.connect() else { return }
        for image in (try? await engine.images()) ?? [] where image.repoTags?.contains(where: { $0.hasPrefix(namespace) }) ?? false {
            try? await engine.removeImage(image.id, force: true)
        }
        try? await engine.shutdown()
    }
}
