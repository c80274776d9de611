public import HoistOCI

/// A build described in code, as BuildKit's LLB lets programs describe one: an immutable state
/// of a root file system (and the settings its next steps run with), each method returning a
/// new state. Solve it with `Client.solve(_:)`; export it with `Client.export(_:tags:)`.
///
/// ```swift
/// let tools = BuildState.image("busybox").run(["sh", "-c", "echo built > /out"])
/// let app = BuildState.image("busybox")
///     .copy(from: tools, "/out", to: "/app/out")
///     .workdir("/app")
///     .with { $0.cmd = ["cat", "out"] }
/// ```
public struct BuildState: Sendable, Hashable {
    /// The vertex whose result is this state's files.
    public private(set) var vertex: Vertex
    /// `NAME=value` entries commands run with (and the exported image's environment).
    public private(set) var environment: [String]
    public private(set) var workingDirectory: String
    /// Empty for root.
    public private(set) var user: String
    public private(set) var network: NetworkMode
    /// The image the state started from, whose config an export builds on.
    public private(set) var baseImage: String?
    /// The history of the steps since then.
    public private(set) var steps: [BuildStep]
    /// Settings of the exported image beyond environment, directory and user.
    public private(set) var config: ContainerConfig
    /// The platform the state is for (``with(platform:)``); nil for the host's.
    public private(set) var platform: Platform?
    /// The whole image config a frontend worked out (its base image's included), which an
    /// export builds on instead of looking `baseImage` up.
    public private(set) var imageConfig: ImageConfig?
    /// The history of the image a frontend's state starts from, with ``imageConfig``.
    public private(set) var baseHistory: [HistoryEntry]?
    /// What the frontend that made the state warned about.
    public private(set) var warnings: [BuildWarning]

    private init(vertex: Vertex, baseImage: String? = nil) {
        self.vertex = vertex
        environment = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        workingDirectory = "/"
        user = ""
        network = .sandbox
        self.baseImage = baseImage
        steps = []
        config = ContainerConfig()
        warnings = []
    }

    /// The state a frontend made its own way (``BuildFrontend``): the graph up to `vertex`, the
    /// image config it worked out (environment, directory and user are read from it), the base
    /// image's history and the steps since, and its warnings. Later calls go on from there.
    public init(_ vertex: Vertex, imageConfig: ImageConfig, baseHistory: [HistoryEntry] = [], steps: [BuildStep] = [],
                warnings: [BuildWarning] = []) {
        self.init(vertex: vertex)
        let container = imageConfig.config ?? ContainerConfig()
        environment = container.env ?? []
        workingDirectory = container.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        user = container.user ?? ""
        config = container
        self.imageConfig = imageConfig
        self.baseHistory = baseHistory
        self.steps = steps
        self.warnings = warnings
    }

    // MARK: Sources

    /// An image's file system (from the store, pulled when missing).
    public static func image(_ reference: String, platform: Platform? = nil) -> BuildState {
        BuildState(vertex: Vertex(.source(.image(reference: reference, platform: platform)), name: "FROM \(reference)"), baseImage: reference)
    }

    /// Nothing at all (`FROM scratch`).
    public static var scratch: BuildState {
        BuildState(vertex: Vertex(.merge, name: "FROM scratch"))
    }

    /// A directory the client names `name` when solving, filtered by `.dockerignore`-style patterns.
    public static func local(_ name: String, include: [String] = [], exclude: [String] = []) -> BuildState {
        BuildState(vertex: Vertex(.source(.local(name: name, include: include, exclude: exclude)), name: "local \(name)"))
    }

    /// A file downloaded over HTTP(S), checked against `checksum` when given.
    public static func http(_ url: String, checksum: Digest? = nil, filename: String? = nil) -> BuildState {
        BuildState(vertex: Vertex(.source(.http(url: url, checksum: checksum, filename: filename, permissions: nil)), name: "http \(url)"))
    }

    /// A git repository at `ref`.
    public static func git(_ url: String, ref: String? = nil, keepGitDirectory: Bool = false) -> BuildState {
        BuildState(vertex: Vertex(.source(.git(url: url, ref: ref, keepGitDirectory: keepGitDirectory)), name: "git \(url)"))
    }

    /// The states' files laid over each other, later ones on top.
    public static func merge(_ states: [BuildState]) -> BuildState {
        var merged = BuildState(vertex: Vertex(.merge, inputs: states.map(\.vertex), name: "merge"))
        if let first = states.first {
            merged.baseImage = first.baseImage
            merged.environment = first.environment
            merged.imageConfig = first.imageConfig
            merged.baseHistory = first.baseHistory
            merged.platform = first.platform
        }
        merged.warnings = states.flatMap(\.warnings)
        return merged
    }

    // MARK: Steps

    /// A mount of a ``run(_:environment:workingDirectory:user:network:mounts:)`` step.
    public enum RunMount: Sendable, Hashable {
        /// Another state's files at `destination` (read-only unless `readWrite`; writes are thrown away).
        case bind(from: BuildState, source: String = "/", destination: String, readWrite: Bool = false)
        /// A persistent cache directory.
        case cache(id: String, destination: String, sharing: ExecMount.CacheSharing = .shared)
        /// An empty tmpfs.
        case tmpfs(destination: String)
        /// A build secret as a file (at `/run/secrets/ID` unless `destination` says).
        case secret(id: String, destination: String? = nil, required: Bool = true)
        /// A build secret in the environment variable `name` of the command.
        case secretVariable(id: String, name: String, required: Bool = true)
        /// An SSH agent the build is given (`sshAgents`), at `/run/buildkit/ssh_agent.N` unless
        /// `destination` says; `SSH_AUTH_SOCK` points at the first.
        case ssh(id: String = "default", destination: String? = nil, required: Bool = false)
    }

    /// Runs `arguments` on this state's files; the changes are the new state.
    public func run(_ arguments: [String], environment extra: [String: String] = [:], workingDirectory: String? = nil,
                    user: String? = nil, network: NetworkMode? = nil, mounts: [RunMount] = []) -> BuildState {
        var environment = self.environment
        for (name, value) in extra.sorted(by: { $0.key < $1.key }) {
            environment.removeAll { $0.hasPrefix(name + "=") }
            environment.append("\(name)=\(value)")
        }
        var inputs = [vertex]
        var execMounts = [ExecMount(input: 0, destination: "/")]
        for mount in mounts {
            switch mount {
            case .bind(let state, let source, let destination, let readWrite):
                inputs.append(state.vertex)
                execMounts.append(ExecMount(input: inputs.count - 1, selector: source, destination: destination, readOnly: !readWrite))
            case .cache(let id, let destination, let sharing):
                execMounts.append(ExecMount(input: nil, destination: destination, kind: .cache(id: id, sharing: sharing, uid: 0, gid: 0, mode: 0o755)))
            case .tmpfs(let destination):
                execMounts.append(ExecMount(input: nil, destination: destination, kind: .tmpfs(sizeBytes: nil)))
            case .secret(let id, let destination, let required):
                execMounts.append(ExecMount(
                    input: nil, destination: destination ?? "/run/secrets/\(id)", readOnly: true,
                    kind: .secret(id: id, required: required, uid: 0, gid: 0, mode: 0o400)))
            case .secretVariable(let id, let name, let required):
                execMounts.append(ExecMount(input: nil, destination: "", readOnly: true,
                                            kind: .secretEnvironment(id: id, required: required, name: name)))
            case .ssh(let id, let destination, let required):
                execMounts.append(ExecMount(
                    input: nil, destination: destination ?? ExecMount.defaultAgentPath(after: execMounts),
                    kind: .ssh(id: id, required: required, uid: 0, gid: 0, mode: 0o600)))
            }
        }
        // By name, with SSH_AUTH_SOCK for agents, as the Dockerfile frontend makes a RUN's
        // environment: the same step written either way is one vertex (order does not change
        // what a process sees).
        let variables = Dictionary(environment.map { (String(Self.variableName($0)), String($0.dropFirst(Self.variableName($0).count + 1))) }) { $1 }
        let ordered = ExecMount.environment(variables, withAgentOf: execMounts).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let exec = ExecOp(
            arguments: arguments, environment: ordered, workingDirectory: workingDirectory ?? self.workingDirectory,
            user: user ?? self.user, network: network ?? self.network, mounts: execMounts, platform: ExecOp.platform(for: platform))
        return adding(Vertex(.exec(exec), inputs: inputs, name: "RUN \(arguments.joined(separator: " "))"),
                      history: "RUN \(arguments.joined(separator: " "))")
    }

    /// Copies `source` (wildcards allowed) of `state` to `destination`, with COPY's rules.
    public func copy(from state: BuildState, _ source: String, to destination: String, owner: FileOwner? = nil,
                     mode: String? = nil) -> BuildState {
        let action = CopyAction(sourceInput: 1, sources: [source], destination: absolute(destination), owner: owner, mode: mode)
        return adding(Vertex(.file(FileOp(actions: [.copy(action)])), inputs: [vertex, state.vertex], name: "COPY \(source) \(destination)"),
                      history: "COPY \(source) \(destination)")
    }

    /// Makes directory `path` (and its parents).
    public func mkdir(_ path: String, mode: UInt32 = 0o755, owner: FileOwner? = nil) -> BuildState {
        file(.mkdir(path: absolute(path), mode: mode, makeParents: true, owner: owner), "mkdir \(path)")
    }

    /// Writes a file.
    public func mkfile(_ path: String, contents: [UInt8], mode: UInt32 = 0o644, owner: FileOwner? = nil) -> BuildState {
        file(.mkfile(path: absolute(path), contents: contents, mode: mode, owner: owner), "mkfile \(path)")
    }

    /// Removes `path` (nothing when it is not there, unless `mustExist`).
    public func remove(_ path: String, mustExist: Bool = false) -> BuildState {
        file(.remove(path: absolute(path), allowNotFound: !mustExist), "rm \(path)")
    }

    /// Makes a symbolic link at `path` to `target`.
    public func symlink(_ target: String, at path: String) -> BuildState {
        file(.symlink(target: target, path: absolute(path)), "ln -s \(target) \(path)")
    }

    // MARK: Settings

    /// Sets an environment variable for later steps and the image.
    public func env(_ name: String, _ value: String) -> BuildState {
        var state = self
        state.environment.removeAll { $0.hasPrefix(name + "=") }
        state.environment.append("\(name)=\(value)")
        return state
    }

    /// The working directory for later steps and the image (made when missing, as WORKDIR does).
    public func workdir(_ path: String) -> BuildState {
        var state = mkdir(path)
        state.workingDirectory = absolute(path)
        return state
    }

    /// The user later steps run as, and the image's.
    public func user(_ user: String) -> BuildState {
        var state = self
        state.user = user
        return state
    }

    /// The network later steps get.
    public func network(_ network: NetworkMode) -> BuildState {
        var state = self
        state.network = network
        return state
    }

    /// Edits the exported image's settings (CMD, ENTRYPOINT, labels, ports …).
    public func with(_ edit: (inout ContainerConfig) -> Void) -> BuildState {
        var state = self
        edit(&state.config)
        return state
    }

    /// The state for `platform`: an image source it starts from is pulled for that platform,
    /// and an exported image says it is for it.
    public func with(platform: Platform) -> BuildState {
        var state = self
        state.platform = platform
        if case .source(.image(let reference, _)) = vertex.op, vertex.inputs.isEmpty {
            state.vertex = Vertex(.source(.image(reference: reference, platform: platform)), name: vertex.name)
        }
        return state
    }

    /// The state with `warning` added to what it reports (for frontends).
    public func warning(_ warning: BuildWarning) -> BuildState {
        var state = self
        state.warnings.append(warning)
        return state
    }

    // MARK: Parts

    private func file(_ action: FileAction, _ shown: String) -> BuildState {
        adding(Vertex(.file(FileOp(actions: [action])), inputs: [vertex], name: shown), history: shown)
    }

    private func adding(_ vertex: Vertex, history: String) -> BuildState {
        var state = self
        state.vertex = vertex
        state.steps.append(BuildStep(createdBy: history, vertex: vertex))
        return state
    }

    private static func variableName(_ entry: String) -> Substring {
        entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? Substring(entry)
    }

    private func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return (workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/") + path
    }
}
