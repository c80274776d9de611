#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Hoist
import HoistBuild
import HoistOCI
import HoistTestSupport

/// Runs one case of ``BuildKitCorpus`` as its README says: prepares the context, starts its
/// fixtures (HTTP and git servers on 127.0.0.1), builds the prebuilt cases it needs, builds it
/// with Hoist on a store of its own (base images mapped to the local busybox image) and
/// exports the result, ready for ``CorpusCheck``.
final class CorpusRun: @unchecked Sendable {
    let corpusCase: CorpusCase
    let fixture: BusyboxFixture
    /// Servers to stop when the run ends.
    private var servers: [ServerProcess] = []
    /// Placeholder → value, for the Dockerfile, attributes and expectations.
    private(set) var substitutions: [String: String] = [:]
    /// Where the result's files were exported.
    let output: URL
    /// The image's name in the store.
    let tag: String
    /// The options the case was built with, once built.
    private(set) var options: BuildOptions?

    /// The registry host `{{REGISTRY}}` stands for: images of prebuilt cases are kept in the
    /// store under it, never pushed.
    static let registry = "corpus.registry.test"
    /// The host's platform as `{{NATIVE_PLATFORM_DIR}}` writes it.
    static let nativePlatformDirectory = "linux_\(Platform.host.architecture)" + (Platform.host.variant.map { "_\($0)" } ?? "")

    init(_ corpusCase: CorpusCase, fixture: BusyboxFixture) {
        self.corpusCase = corpusCase
        self.fixture = fixture
        output = fixture.directory.appending("output-\(corpusCase.name)")
        tag = "corpus/\(corpusCase.name.lowercased()):latest"
        substitutions["{{REGISTRY}}"] = Self.registry
        substitutions["{{NATIVE_PLATFORM_DIR}}"] = Self.nativePlatformDirectory
    }

    deinit {
        for server in servers { server.stop() }
    }

    func substitute(_ text: String) -> String {
        substitutions.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    // MARK: Building

    /// Builds the case (after what it needs); the result, or the build's error.
    func build() async throws -> Result<ImageSummary, any Error> {
        for image in corpusCase.baseImages where image != "busybox" && image != "busybox:latest" {
            try fixture.client.tag("busybox:latest", as: image)
        }
        try startFixtures()
        for (name, image) in corpusCase.prebuild {
            guard let needed = BuildKitCorpus.cases.first(where: { $0.name == name }) else {
                throw CorpusError("prebuild case \(name) is not in the corpus")
            }
            let before = CorpusRun(needed, fixture: fixture)
            before.substitutions.merge(substitutions) { mine, _ in mine }
            let result = try await before.build()
            let summary = try result.get()
            try fixture.client.tag(summary.id.description, as: substitute(image))
        }
        let options = try buildOptions()
        self.options = options
        return await Result(catching: { try await fixture.client.build(options) })
    }

    /// The build's options from the case: context, Dockerfile, arguments, target, secrets,
    /// named contexts, entitlements, output. A frontend attribute Hoist does not take is an
    /// error (the case belongs in the skip list).
    func buildOptions() throws -> BuildOptions {
        // No context at all is an empty one: the Dockerfile fetches what it uses.
        guard corpusCase.context == "local" || corpusCase.context == "none" else {
            throw CorpusError("the context is \(corpusCase.context), which hoist build does not take")
        }
        let context = try prepareContext()
        let dockerfileText = substitute(try String(contentsOf: corpusCase.directory.appendingPathComponent("Dockerfile"), encoding: .utf8))
        let dockerfile: URL
        if corpusCase.dockerfileInContext {
            dockerfile = context.appendingPathComponent(corpusCase.dockerfileName)
        } else {
            let directory = fixture.directory.appending("dockerfile-\(corpusCase.name)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            dockerfile = directory.appendingPathComponent(corpusCase.dockerfileName)
        }
        // A symlinked Dockerfile stays a link; its target gets the text.
        let written = (try? FileManager.default.destinationOfSymbolicLink(atPath: dockerfile.path))
            .map { dockerfile.deletingLastPathComponent().appendingPathComponent($0) } ?? dockerfile
        try Data(dockerfileText.utf8).write(to: written)

        var options = BuildOptions(context: context, dockerfile: dockerfile, tags: [tag])
        options.buildArguments = corpusCase.buildArguments.mapValues(substitute)
        if let epoch = options.buildArguments.removeValue(forKey: "SOURCE_DATE_EPOCH") {
            guard let seconds = Int64(epoch) else { throw CorpusError("invalid SOURCE_DATE_EPOCH: \(epoch)") }
            options.sourceDateEpoch = seconds
        }
        options.target = corpusCase.target
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        options.outputs = [corpusCase.requires.contains("tar-exporter")
            ? .tar(path: output.appendingPathComponent("out.tar").path) : .local(directory: output.path)]
        for (id, value) in corpusCase.secrets {
            let file = fixture.directory.appending("secret-\(id)")
            try Data(value.utf8).write(to: file)
            options.secrets[id] = file.path
        }
        let entitlements = corpusCase.fields["entitlements"]?.objectValue ?? [:]
        let allowed = Set((entitlements["client_allows"]?.arrayValue ?? []).compactMap(\.stringValue))
            .intersection((entitlements["builder_grants"]?.arrayValue ?? []).compactMap(\.stringValue))
        options.allowInsecure = allowed.contains("security.insecure")
        if let platform = corpusCase.platform, !corpusCase.requires.contains("lint") {
            guard !platform.contains(",") else { throw CorpusError("the build is for several platforms: \(platform)") }
            options.platforms = [try Platform(parsing: platform)]
        }
        for (key, value) in corpusCase.frontendAttributes {
            let value = substitute(value)
            if key.hasPrefix("context:") {
                let name = String(key.dropFirst("context:".count))
                if value.hasPrefix("local:") {
                    options.buildContexts[name] = try prepareLocal(String(value.dropFirst("local:".count))).path
                } else if value.hasPrefix("docker-image://") {
                    options.buildContexts[name] = value
                } else {
                    throw CorpusError("named context \(name)=\(value) is not a directory or an image")
                }
            } else if key.hasPrefix("label:") {
                options.labels[String(key.dropFirst("label:".count))] = value
            } else if key == "filename" {
                continue
            } else if key == "no-cache" {
                options.noCache = value.isEmpty
                options.noCacheStages = value.isEmpty ? [] : value.split(separator: ",").map(String.init)
            } else if key == "force-network-mode" {
                options.defaultNetwork = value == "none" ? .none : .host
            } else {
                throw CorpusError("frontend attribute \(key)=\(value) is not a hoist build option")
            }
        }
        return options
    }

    // MARK: Context

    /// The case's `context/` copied into the fixture's directory, with the modes, directories
    /// and sockets git cannot keep.
    func prepareContext() throws -> URL {
        let context = fixture.directory.appending("context-\(corpusCase.name)")
        try copyTree(corpusCase.directory.appendingPathComponent("context"), to: context)
        try applyFileModes(corpusCase.fields, in: context)
        return context
    }

    /// `locals/NAME` prepared like the context.
    func prepareLocal(_ name: String) throws -> URL {
        let directory = fixture.directory.appending("local-\(corpusCase.name)-\(name)")
        try copyTree(corpusCase.directory.appendingPathComponent("locals/\(name)"), to: directory)
        try applyFileModes(corpusCase.fields["locals"]?.objectValue?[name]?.objectValue ?? [:], in: directory)
        return directory
    }

    private func copyTree(_ source: URL, to destination: URL) throws {
        if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
        if FileManager.default.fileExists(atPath: source.path) {
            try ExternalCommand.checked(["cp", "-a", source.path, destination.path])
        } else {
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        }
    }

    /// Gives the copied tree what the case lists: the corpus's copy here has neither modes nor
    /// symlinks (its links are files holding their targets), so every directory gets 0755 and
    /// every file 0644 first, then the listed directories, sockets, modes and symlinks.
    private func applyFileModes(_ fields: [String: JSONValue], in directory: URL) throws {
        let listed = CorpusCase(name: corpusCase.name, json: .object(fields))
        try ExternalCommand.checked(["chmod", "-R", "u+w,a+rX,go-w", directory.path])
        try ExternalCommand.checked(["find", directory.path, "-type", "f", "-exec", "chmod", "644", "{}", "+"])
        for entry in listed.paths("symlinks") {
            let path = directory.appendingPathComponent(entry.path).path
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: entry.target ?? "")
        }
        for entry in listed.paths("dirs") {
            let path = directory.appendingPathComponent(entry.path).path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        for entry in listed.paths("sockets") {
            try Self.makeSocket(at: directory.appendingPathComponent(entry.path).path)
        }
        for entry in listed.paths("files") + listed.paths("dirs") + listed.paths("sockets") {
            guard let mode = entry.mode, !listed.paths("symlinks").contains(where: { $0.path == entry.path }) else { continue }
            let path = directory.appendingPathComponent(entry.path).path
            guard chmod(path, mode_t(mode)) == 0 else { throw CorpusError("chmod \(entry.path): \(String(cString: strerror(errno)))") }
        }
    }

    /// A Unix socket file, bound and left (nobody listens).
    static func makeSocket(at path: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw CorpusError("socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw CorpusError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else { throw CorpusError("bind \(path): \(String(cString: strerror(errno)))") }
    }

    // MARK: Fixtures

    private func startFixtures() throws {
        if let http = corpusCase.fields["http_server"]?.objectValue {
            let routes = fixture.directory.appending("routes-\(corpusCase.name).json")
            var resolved: [String: JSONValue] = [:]
            for (path, route) in http["routes"]?.objectValue ?? [:] {
                var route = route.objectValue ?? [:]
                if let file = route["content_file"]?.stringValue {
                    route["content_file"] = .string(corpusCase.directory.appendingPathComponent(file).path)
                }
                resolved[path] = .object(route)
            }
            try JSONEncoder().encode(JSONValue.object(resolved)).write(to: routes)
            let port = try FreePort.next()
            servers.append(try ServerProcess(
                name: "corpus routes", arguments: ["python3", Self.routesServer.path, "\(port)", routes.path], port: port,
                logFile: fixture.directory.appending("routes-\(corpusCase.name).log")))
            substitutions["{{HTTP_SERVER}}"] = "http://127.0.0.1:\(port)"
        }
        if let echo = corpusCase.fields["echo_server"]?.objectValue {
            let port = try FreePort.next()
            servers.append(try ServerProcess(
                name: "corpus echo", arguments: ["python3", Self.routesServer.path, "\(port)", "--echo", echo["response"]?.stringValue ?? ""],
                port: port, logFile: fixture.directory.appending("echo-\(corpusCase.name).log")))
            substitutions[echo["port_placeholder"]?.stringValue ?? "{{ECHO_PORT}}"] = "\(port)"
        }
        for repository in corpusCase.fields["git_repos"]?.arrayValue ?? [] {
            try serveGitRepository(repository.objectValue ?? [:])
        }
    }

    /// `Tests/BuildKitCorpus/serve.py`: the HTTP routes and echo server of the fixtures.
    static let routesServer = Interop.packageRoot.appendingPathComponent("Tests/BuildKitCorpus/serve.py")

    private func serveGitRepository(_ repository: [String: JSONValue]) throws {
        guard let name = repository["name"]?.stringValue else { throw CorpusError("a git repository without a name") }
        let directory = fixture.directory.appending("git-\(corpusCase.name)-\(name)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The steps see no global git configuration, as a fresh machine would have none.
        let environment = ProcessInfo.processInfo.environment.merging([
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": directory.path,
            "GIT_AUTHOR_DATE": "2023-11-14T22:13:20Z", "GIT_COMMITTER_DATE": "2023-11-14T22:13:20Z",
        ]) { $1 }
        for step in repository["setup"]?.arrayValue ?? [] {
            let step = step.objectValue ?? [:]
            if let command = step["run"]?.stringValue {
                let result = try ExternalCommand.run(["sh", "-c", substitute(command)], environment: environment, directory: directory)
                guard result.status == 0 else {
                    throw CorpusError("git setup of \(name) failed: \(command): \(result.errorText)")
                }
            } else if let path = step["write"]?.stringValue {
                let file = directory.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(substitute(step["content"]?.stringValue ?? "").utf8).write(to: file)
            }
        }
        let port = try FreePort.next()
        servers.append(try ServerProcess(
            name: "git \(name)", arguments: ["python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory.path, "\(port)"],
            port: port, logFile: fixture.directory.appending("git-\(corpusCase.name)-\(name).log")))
        substitutions["{{GIT:\(name)}}"] = "http://127.0.0.1:\(port)"
        // Revisions named anywhere in the case, resolved in this repository.
        let text = String(decoding: (try? JSONEncoder().encode(corpusCase.json)) ?? Data(), as: UTF8.self)
            + ((try? String(contentsOf: corpusCase.directory.appendingPathComponent("Dockerfile"), encoding: .utf8)) ?? "")
        let pattern = try NSRegularExpression(pattern: "\\{\\{GIT_REV([0-9]*):\(NSRegularExpression.escapedPattern(for: name)):([^}]+)\\}\\}")
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let placeholder = String(text[Range(match.range, in: text)!])
            let length = Int(String(text[Range(match.range(at: 1), in: text)!]))
            let reference = String(text[Range(match.range(at: 2), in: text)!])
            let revision = try ExternalCommand.checked(["git", "rev-parse", reference], environment: environment, directory: directory).text
                .trimmingCharacters(in: .whitespacesAndNewlines)
            substitutions[placeholder] = length.map { String(revision.prefix($0)) } ?? revision
        }
    }
}

/// A case the runner cannot run as written, or a fixture that failed.
struct CorpusError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
