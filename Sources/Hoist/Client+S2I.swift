public import Foundation
import HoistBuild
import HoistDockerEngine
import HoistOCI
import HoistRegistry
import HoistRuntime
public import HoistS2I

extension Client {
    /// Builds `request` as `s2i build` does, on this client's backend (see ``S2IBuilder``):
    /// the image it made, named `request.tag`; progress as ``S2IEvent``s.
    @discardableResult
    public func s2iBuild(_ request: S2IRequest, progress: S2IProgress = .discard) async throws -> S2IResult {
        try await S2IBuilder(host: S2IClientHost(client: self), progress: progress).build(request)
    }

    /// Writes the Dockerfile `request` builds with (`s2i build --as-dockerfile`) to `path`,
    /// its files in `upload/` beside it; nothing is built.
    public func s2iWriteDockerfile(_ request: S2IRequest, to path: URL, progress: S2IProgress = .discard) async throws {
        try await S2IBuilder(host: S2IClientHost(client: self), progress: progress).writeDockerfile(request, to: path)
    }

    /// `s2i rebuild IMAGE [NEW_TAG]`: builds `image` again from its labels; `options` gives
    /// the other settings.
    @discardableResult
    public func s2iRebuild(_ image: String, as newTag: String? = nil, options: S2IRequest,
                           progress: S2IProgress = .discard) async throws -> S2IResult {
        try await S2IBuilder(host: S2IClientHost(client: self), progress: progress).rebuild(image, as: newTag, options: options)
    }

    /// `s2i usage BUILDER`: runs the builder's `usage` script; its output goes to `progress`.
    public func s2iUsage(_ builderImage: String, scriptsURL: String? = nil, options: S2IRequest? = nil,
                         progress: S2IProgress = .discard) async throws -> Int32 {
        try await S2IBuilder(host: S2IClientHost(client: self), progress: progress).usage(
            builderImage, scriptsURL: scriptsURL, options: options)
    }
}

/// What S2I needs of a ``Client``, routed to its backend: images from the store or the
/// daemon, builds on the client's build engine, containers on its container backend.
struct S2IClientHost: S2IHost {
    let client: Client

    func image(_ reference: String) async throws -> S2IImage? {
        // The backend's image: on the docker backend the daemon's (its ID is the daemon's), else the store's.
        let placement = try await client.containerBackend.buildPlacement(BuildPlacementRequest(store: client.store, pullPolicy: .never))
        guard let id = try await placement.imageID(reference) else { return nil }
        let (config, _) = try await placement.imageSource.resolve(id, platform: nil)
        return S2IImage(id: id, config: config)
    }

    func pull(_ reference: String, registry: RegistryConfiguration, activity: @escaping @Sendable () -> Void) async throws {
        _ = try await client.containerBackend.pullImage(reference, platform: nil, configuration: registry) { _ in activity() }
    }

    func file(_ path: String, in reference: String) async throws -> S2IImageFile? {
        let (_, layers) = try await client.imageSource(pullPolicy: .never).resolve(reference, platform: nil)
        switch try LayerFileReader(store: client.store, layers: layers).entry(path) {
        case .regular(let data)?: return .regular(data)
        case .directory?: return .directory
        case .other?: return .other
        case nil: return nil
        }
    }

    func onBuildState(of image: String, context: URL) async throws -> BuildState {
        var options = BuildOptions(context: context)
        options.pullPolicy = .never
        return try await client.convertDockerfile(options, definition: "FROM \(image)\n").state
    }

    func cacheMount(_ id: String, contains path: String) async -> Bool {
        // S2I's plan mounts its artifacts cache with mode 0777 (S2IPlan+Graph): a cache of its own.
        FileManager.default.fileExists(atPath: NativeWorker.cacheMountDirectory(id: id, store: client.store, mode: 0o777) + "/" + path)
    }

    func build(_ state: BuildState, _ settings: S2IBuildSettings,
               finishing: @escaping @Sendable (@escaping S2IFileReader) async throws -> BuildState) async throws -> S2IImage {
        var options = BuildOptions(context: FileManager.default.temporaryDirectory, tags: settings.tags, progress: settings.progress)
        options.pullPolicy = .never
        options.stepLimits = StepLimits(
            memoryBytes: settings.memoryBytes, cpuQuota: settings.cpuQuota, cpuPeriod: settings.cpuPeriod,
            capabilitiesDropped: settings.capabilitiesDropped)
        let store = client.store
        let built = try await client.build(
            state, localDirectories: settings.localDirectories.mapValues(\.path), options: options
        ) { state, layers in
            let reader = try LayerFileReader(store: store, layers: layers)
            return try await finishing { try reader.readFile($0) }
        }
        let image = try client.resolve(built.id.description)
        return S2IImage(id: built.id.description, config: image.config)
    }

    func run(_ image: String, _ spec: S2IRunSpec,
             output: @escaping @Sendable (ProgressEvent.Stream, Data) -> Void) async throws -> Int32 {
        let network: ContainerNetwork = switch spec.network {
        case .host: .host
        case .none: .none
        case .sandbox: .default
        }
        var options = RunOptions(
            command: spec.command, entrypoint: spec.entrypoint, user: spec.user, network: network,
            volumes: spec.binds.map { (host: $0.host, container: $0.container, readOnly: true) })
        options.memoryBytes = spec.memoryBytes
        options.capabilitiesDropped = spec.capabilitiesDropped
        return try await client.containerBackend.run(
            image, options, standardOutput: { output(.stdout, $0) }, standardError: { output(.stderr, $0) })
    }

    func removeImage(_ id: String) async throws {
        try await client.removeImage(id)
    }

    func checkOut(_ repository: String, ref: String?, into directory: URL) async throws -> S2ICommit {
        func git(_ arguments: [String]) async throws -> String {
            var process = ExternalProcess("git", arguments)
            process.environment = ProcessInfo.processInfo.environment.merging(["GIT_TERMINAL_PROMPT": "0"]) { $1 }
            let result = try await process.run()
            guard result.status == .exited(0) else {
                throw S2IError(.unavailable, "git \(arguments.prefix(2).joined(separator: " ")) failed: \(result.errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            return result.outputText
        }
        do {
            _ = try await git(["clone", "--quiet", "--", repository, directory.path])
            if let ref { _ = try await git(["-C", directory.path, "checkout", "--quiet", "--detach", ref]) }
        } catch {
            throw S2IError(.unavailable, "cannot check out \(repository)\(ref.map { " at \($0)" } ?? "")", underlying: error)
        }
        let log = try await git(["-C", directory.path, "log", "-1", "--format=%H%n%an <%ae>%n%ad%n%s"])
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        try FileManager.default.removeItem(at: directory.appendingPathComponent(".git"))
        guard log.count >= 4 else { throw S2IError(.unavailable, "git log of \(repository) printed no commit") }
        return S2ICommit(id: log[0], author: log[1], date: log[2], message: log[3], ref: ref)
    }
}
