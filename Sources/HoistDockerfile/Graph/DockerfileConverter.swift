import Foundation
public import HoistBuild
public import HoistOCI

/// Turns a parsed Dockerfile into a build graph with Docker's semantics: stages from images,
/// earlier stages or scratch; ARG/ENV scoping; RUN as exec ops with mounts; COPY/ADD/WORKDIR
/// as file ops; the rest as image config. Only the stages the target needs are converted.
public struct DockerfileConverter: Sendable {
    let dockerfile: Dockerfile
    let global: GlobalScope
    let images: any ImageSource
    /// `.dockerignore` patterns of the build context.
    let contextExcludes: [String]
    /// `--label` values, applied over the Dockerfile's.
    let labels: [String: String]
    let allowInsecure: Bool
    /// Names given with `--build-context name=DIR`: `COPY --from=name` and `FROM name` read them.
    public var namedContexts: Set<String> = []
    /// `--build-context name=docker-image://REF`: the name stands for that image.
    public var contextImages: [String: String] = [:]
    /// The `.dockerignore` patterns of each `--build-context name=DIR`.
    public var namedContextExcludes: [String: [String]] = [:]
    /// The network of RUN steps without `--network` (`--network` of the build).
    public var defaultNetwork: NetworkMode = .sandbox
    /// `--allow network.host`: `RUN --network=host` is refused without it, as BuildKit's
    /// entitlement does.
    public var allowHostNetwork = false
    /// The platform the build is for (`--platform`, one of a list): the platform of every stage
    /// whose `FROM` names none. Nil builds for the host without naming it.
    public var targetPlatform: Platform?
    /// Whether step names begin with their stage's platform (`[linux/arm64 stage-1 2/3]`), as
    /// BuildKit names them in a build for several platforms.
    public var namesPlatforms = false

    /// A converter for `dockerfile` with the build's arguments; base images are resolved
    /// through `images` (their config shapes the stages: ENV, USER, WORKDIR, ONBUILD).
    public init(dockerfile: Dockerfile, arguments: BuildArguments, images: any ImageSource, contextExcludes: [String],
                labels: [String: String] = [:], allowInsecure: Bool = false) throws {
        self.dockerfile = dockerfile
        self.global = try GlobalScope(dockerfile: dockerfile, arguments: arguments)
        self.images = images
        self.contextExcludes = contextExcludes
        self.labels = labels
        self.allowInsecure = allowInsecure
    }

    /// The build-context local source.
    var context: Vertex {
        Vertex(.source(.local(name: "context", include: [], exclude: contextExcludes)), name: "[internal] load build context")
    }

    /// The graph and image config of the `target` stage (the last when nil).
    public func convert(target: String?) async throws -> DockerfileBuildPlan {
        let targetStage = try dockerfile.targetStage(target)
        var converted: [Int: StageState] = [:]
        for index in try global.stagesNeeded(for: targetStage).sorted() where converted[index] == nil {
            converted[index] = try await convert(dockerfile.stages[index], converted: &converted)
        }
        guard let state = converted[targetStage.index] else {
            throw BuildError(.internal, "stage \(targetStage.index) was not converted")
        }
        var config = state.config
        if !labels.isEmpty {
            var container = config.config ?? ContainerConfig()
            container.labels = (container.labels ?? [:]).merging(labels) { $1 }
            config.config = container
        }
        return DockerfileBuildPlan(target: state.filesystem, config: config, baseHistory: state.baseHistory, steps: state.steps)
    }

    // MARK: Stages

    /// A stage as conversion goes: its files so far, its config, its history and its variables.
    struct StageState {
        var filesystem: Vertex
        var config: ImageConfig
        var baseHistory: [HistoryEntry]
        var steps: [BuildStep]
        var scope: StageScope
        var name: String
        /// The stage's index in the Dockerfile.
        var index = 0
        var position = 0
        var count = 0
        /// Whether this stage set CMD itself (an ENTRYPOINT then keeps it).
        var commandSet = false
        /// The platform the stage is for (its `FROM --platform`, else the build's), nil when
        /// neither names one.
        var platform: Platform?

        var containerConfig: ContainerConfig {
            get { config.config ?? ContainerConfig() }
            set { config.config = newValue }
        }
        var shell: [String] { containerConfig.shell ?? ["/bin/sh", "-c"] }
        var workingDirectory: String { containerConfig.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/" }
        var user: String { containerConfig.user ?? "" }
    }

    private func convert(_ stage: Stage, converted: inout [Int: StageState]) async throws -> StageState {
        let from = try global.resolveFrom(of: stage)
        let platform = from.platform.map { Platform(os: $0.os, architecture: $0.architecture, variant: $0.variant.isEmpty ? nil : $0.variant).normalized }
            ?? targetPlatform
        let label = stage.name ?? "stage-\(stage.index)"
        let shown = namesPlatforms ? "\((platform ?? Platform.host).normalized) \(label)" : label
        var state: StageState
        var triggers: [String] = []
        var base = from.base
        // A build context may stand for an image, scratch included.
        if case .image(let named) = base, contextImages[named] == "scratch" { base = .scratch }
        switch base {
        case .scratch:
            state = StageState(
                filesystem: Vertex(.merge, name: "[\(shown) 1/\(stage.instructions.count + 1)] FROM scratch", stage: label), config: ImageConfig(platform: platform ?? .host),
                baseHistory: [], steps: [], scope: StageScope(global: global, inheritedEnvironment: StageScope.defaultEnvironment),
                name: label)
            // BuildKit's empty image: the default PATH, and `/` as the working directory.
            state.containerConfig.env = StageScope.defaultEnvironment.map { "\($0.name)=\($0.value)" }
            state.containerConfig.workingDir = "/"
        case .stage(let index):
            guard var parent = converted[index] else {
                throw BuildError(.internal, "stage \(index) is needed before it was converted")
            }
            parent.scope = StageScope(continuing: parent.scope)
            parent.name = label
            parent.commandSet = false
            parent.index = stage.index
            state = parent
            // A stage's ONBUILD triggers run in the stages based on it, as an image's do.
            triggers = state.containerConfig.onBuild ?? []
            state.containerConfig.onBuild = nil
        case .image(let named):
            let reference = contextImages[named] ?? named
            let (config, _) = try await images.resolve(reference, platform: platform)
            let filesystem = Vertex(.source(.image(reference: reference, platform: platform)), name: "[\(shown) 1/\(stage.instructions.count + 1)] FROM \(reference)", stage: label)
            var inherited = Self.environment(config.config?.env)
            if !inherited.contains(where: { $0.name == "PATH" }) { inherited = StageScope.defaultEnvironment + inherited }
            state = StageState(
                filesystem: filesystem, config: config, baseHistory: config.history ?? [], steps: [],
                scope: StageScope(global: global, inheritedEnvironment: inherited), name: label)
            state.containerConfig.env = inherited.map { "\($0.name)=\($0.value)" }
            // The base image's ONBUILD triggers run first, and are not inherited further.
            triggers = config.config?.onBuild ?? []
            state.containerConfig.onBuild = nil
            // The image is the stage's platform's, whatever its config claims.
            if let platform {
                state.config.os = platform.os
                state.config.architecture = platform.architecture
                state.config.variant = platform.variant
            }
        }
        if case .stage = base {} else { state.platform = platform }
        state.index = stage.index
        var instructions: [Instruction] = []
        for trigger in triggers {
            let parsed = try Dockerfile.parse("FROM scratch\n\(trigger)", fileName: "ONBUILD")
            instructions += parsed.stages.first?.instructions ?? []
        }
        instructions += stage.instructions
        state.count = instructions.count + 1
        state.position = 1
        for instruction in instructions {
            state.position += 1
            try await apply(instruction, to: &state, converted: &converted)
        }
        return state
    }

    // MARK: Instructions

    private func apply(_ raw: Instruction, to state: inout StageState, converted: inout [Int: StageState]) async throws {
        let instruction = try state.scope.apply(raw)
        let platformLabel = namesPlatforms ? "\((state.platform ?? Platform.host).normalized) " : ""
        let prefix = "[\(platformLabel)\(state.name) \(state.position)/\(state.count)]"
        switch instruction {
        case .run(let run):
            try await apply(run, to: &state, prefix: prefix, converted: &converted)
        case .copy(let copy):
            try await applyCopy(
                sources: copy.sources, inline: copy.inlineSources, destination: copy.destination, from: copy.from,
                chown: copy.chown, chmod: copy.chmod, excludes: copy.excludes, parents: copy.parents, unpack: false,
                keyword: "COPY", to: &state, prefix: prefix, converted: &converted)
        case .add(let add):
            if add.checksum != nil {
                // As BuildKit: a checksum pins one download or checkout, nothing else.
                guard add.sources.count == 1, add.inlineSources.isEmpty else {
                    throw BuildError(.invalidArgument, "\(prefix) ADD: checksum can't be specified for multiple sources")
                }
                guard !AddSource(add.sources[0]).isLocal else {
                    throw BuildError(.invalidArgument, "\(prefix) ADD: checksum requires HTTP(S) or Git sources")
                }
            }
            for source in add.sources.map(AddSource.init) {
                switch source {
                case .git(let url): try addGit(url, add: add, to: &state, prefix: prefix)
                case .http(let url): try addURL(url, add: add, to: &state, prefix: prefix)
                case .local: continue
                }
            }
            let local = add.sources.filter { AddSource($0).isLocal }
            if !local.isEmpty || !add.inlineSources.isEmpty {
                try await applyCopy(
                    sources: local, inline: add.inlineSources, destination: add.destination, from: nil,
                    chown: add.chown, chmod: add.chmod, excludes: add.excludes, parents: false, unpack: add.unpack ?? true,
                    keyword: "ADD", to: &state, prefix: prefix, converted: &converted)
            }
        case .workdir(let workdir):
            let path = Self.absolute(workdir.path, in: state.workingDirectory)
            // An absolute path is kept as written (`/w/`), a relative one joined and cleaned,
            // as BuildKit's NormalizeWorkdir does.
            let configured = workdir.path.hasPrefix("/") ? workdir.path : path
            state.containerConfig.workingDir = configured
            // `/` always exists: BuildKit makes no layer for it.
            guard path != "/" else {
                state.steps.append(BuildStep(createdBy: "WORKDIR \(configured)"))
                return
            }
            let owner = state.user.isEmpty ? nil : Self.owner(state.user)
            let vertex = Vertex(
                .file(FileOp(actions: [.mkdir(path: path, mode: 0o755, makeParents: true, owner: owner)])),
                inputs: [state.filesystem], name: "\(prefix) WORKDIR \(path)", stage: state.name)
            state.filesystem = vertex
            state.steps.append(BuildStep(createdBy: "WORKDIR \(configured)", vertex: vertex))
        case .env(let env):
            state.containerConfig.env = state.scope.environment.map { "\($0.name)=\($0.value)" }
            state.steps.append(BuildStep(createdBy: "ENV " + env.pairs.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))
        case .label(let label):
            var labels = state.containerConfig.labels ?? [:]
            for pair in label.pairs { labels[pair.key] = pair.value }
            state.containerConfig.labels = labels
            state.steps.append(BuildStep(createdBy: "LABEL " + label.pairs.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))
        case .expose(let expose):
            var ports = state.containerConfig.exposedPorts ?? []
            var these: Set<String> = []
            for port in expose.ports {
                do {
                    for parsed in try ExposedPort.parse(port) { these.insert(parsed.description) }
                } catch {
                    throw BuildError(.invalidArgument, "EXPOSE \(port): \(error)")
                }
            }
            ports.formUnion(these)
            state.containerConfig.exposedPorts = ports
            state.steps.append(BuildStep(createdBy: "EXPOSE [\(these.sorted().joined(separator: " "))]"))
        case .volume(let volume):
            var volumes = state.containerConfig.volumes ?? []
            for path in volume.paths { volumes.insert(path) }
            state.containerConfig.volumes = volumes
            state.steps.append(BuildStep(createdBy: "VOLUME [\(volume.paths.joined(separator: " "))]"))
        case .user(let user):
            state.containerConfig.user = user.user
            state.steps.append(BuildStep(createdBy: "USER \(user.user)"))
        case .cmd(let cmd):
            state.containerConfig.cmd = cmd.command.commandLine(shell: state.shell)
            state.commandSet = true
            state.steps.append(BuildStep(createdBy: "CMD \(Self.json(state.containerConfig.cmd ?? []))"))
        case .entrypoint(let entrypoint):
            state.containerConfig.entrypoint = entrypoint.command.commandLine(shell: state.shell)
            // An ENTRYPOINT drops a CMD inherited from the base, not one this stage set.
            if !state.commandSet { state.containerConfig.cmd = nil }
            state.steps.append(BuildStep(createdBy: "ENTRYPOINT \(Self.json(state.containerConfig.entrypoint ?? []))"))
        case .shell(let shell):
            state.containerConfig.shell = shell.shell
            state.steps.append(BuildStep(createdBy: "SHELL \(Self.json(shell.shell))"))
        case .stopSignal(let signal):
            state.containerConfig.stopSignal = signal.signal
            state.steps.append(BuildStep(createdBy: "STOPSIGNAL \(signal.signal)"))
        case .healthcheck(let healthcheck):
            if let check = healthcheck.check {
                state.containerConfig.healthcheck = HealthcheckConfig(
                    test: check.test, interval: check.interval, timeout: check.timeout, startPeriod: check.startPeriod,
                    startInterval: check.startInterval, retries: check.retries)
            } else {
                state.containerConfig.healthcheck = HealthcheckConfig(test: ["NONE"])
            }
            state.steps.append(BuildStep(createdBy: "HEALTHCHECK \(Self.json(state.containerConfig.healthcheck?.test ?? []))"))
        case .maintainer(let maintainer):
            state.config.author = maintainer.maintainer
            state.steps.append(BuildStep(createdBy: "MAINTAINER \(maintainer.maintainer)"))
        case .arg(let arg):
            let text = arg.declarations.map { declaration in
                declaration.defaultValue.map { "\(declaration.name)=\($0)" } ?? declaration.name
            }
            state.steps.append(BuildStep(createdBy: "ARG " + text.joined(separator: " ")))
        case .onbuild(let onbuild):
            state.containerConfig.onBuild = (state.containerConfig.onBuild ?? []) + [onbuild.expression]
            state.steps.append(BuildStep(createdBy: "ONBUILD \(onbuild.expression)"))
        case .from:
            break
        }
    }

    private func apply(_ run: RunInstruction, to state: inout StageState, prefix: String, converted: inout [Int: StageState]) async throws {
        var arguments = run.command.commandLine(shell: state.shell)
        var inputs = [state.filesystem]
        var mounts = [ExecMount(input: 0, destination: "/")]
        if let heredoc = run.heredocs.first, case .shell(let text) = run.command {
            if (try? HeredocDelimiter.parse(text.trimmingCharacters(in: .whitespaces))) != nil {
                // `RUN <<EOF`: the body is the script; one starting with `#!` is run as a file
                // of its own (mounted at /dev/pipes), as BuildKit does.
                let body = heredoc.effectiveContent
                if body.hasPrefix("#!") {
                    let script = Vertex(
                        .file(FileOp(actions: [.mkfile(path: "/" + heredoc.name, contents: Array(body.utf8), mode: 0o755, owner: nil)])),
                        name: "preparing inline document")
                    inputs.append(script)
                    mounts.append(ExecMount(input: inputs.count - 1, destination: "/dev/pipes", readOnly: true))
                    arguments = state.shell + ["/dev/pipes/" + heredoc.name]
                } else {
                    arguments = state.shell + [body]
                }
            } else {
                // Heredocs as input (`RUN cat <<A | tr …`, `3<<IN awk …`): the command with its
                // bodies, for the shell to feed them.
                arguments = state.shell + [run.heredocs.reduce(text) { $0 + "\n" + $1.content + $1.name }]
            }
        }
        let scope = state.scope
        for mount in try run.mounts(expand: { try scope.expand($0) }) {
            switch mount {
            case .bind(let bind):
                let source = try await sourceVertex(from: bind.from, for: state, converted: &converted)
                inputs.append(source)
                mounts.append(ExecMount(input: inputs.count - 1, selector: bind.source.isEmpty ? "/" : bind.source,
                                        destination: Self.absolute(bind.target, in: state.workingDirectory),
                                        readOnly: bind.readOnly))
            case .cache(let cache):
                let sharing = ExecMount.CacheSharing(rawValue: cache.sharing.rawValue) ?? .shared
                mounts.append(ExecMount(
                    input: nil, destination: Self.absolute(cache.target, in: state.workingDirectory), readOnly: cache.readOnly,
                    kind: .cache(id: cache.effectiveID, sharing: sharing, uid: Int(cache.uid ?? 0), gid: Int(cache.gid ?? 0),
                                 mode: cache.mode ?? 0o755)))
            case .tmpfs(let tmpfs):
                mounts.append(ExecMount(input: nil, destination: Self.absolute(tmpfs.target, in: state.workingDirectory),
                                        kind: .tmpfs(sizeBytes: tmpfs.size)))
            case .secret(let secret):
                if let target = secret.effectiveTarget {
                    mounts.append(ExecMount(
                        input: nil, destination: target, readOnly: true,
                        kind: .secret(id: secret.effectiveID, required: secret.required, uid: Int(secret.uid ?? 0),
                                      gid: Int(secret.gid ?? 0), mode: secret.mode ?? 0o400)))
                }
                if let name = secret.environmentVariable {
                    mounts.append(ExecMount(
                        input: nil, destination: "", readOnly: true,
                        kind: .secretEnvironment(id: secret.effectiveID, required: secret.required, name: name)))
                }
            case .ssh(let ssh):
                let target = ssh.target.flatMap { $0.isEmpty ? nil : Self.absolute($0, in: state.workingDirectory) }
                    ?? ExecMount.defaultAgentPath(after: mounts)
                mounts.append(ExecMount(
                    input: nil, destination: target,
                    kind: .ssh(id: ssh.effectiveID, required: ssh.required, uid: Int(ssh.uid ?? 0), gid: Int(ssh.gid ?? 0),
                               mode: ssh.mode ?? 0o600)))
            }
        }
        if run.security == .insecure && !allowInsecure {
            throw BuildError(.failedPrecondition, "\(prefix) RUN --security=insecure needs --allow security.insecure")
        }
        if run.network == .host && !allowHostNetwork {
            throw BuildError(.failedPrecondition, "\(prefix) RUN --network=host needs --allow network.host")
        }
        let environment = ExecMount.environment(state.scope.runEnvironment, withAgentOf: mounts).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let exec = ExecOp(
            arguments: arguments, environment: environment, workingDirectory: state.workingDirectory, user: state.user,
            network: Self.network(run.network, default: defaultNetwork), insecure: run.security == .insecure, mounts: mounts,
            platform: ExecOp.platform(for: state.platform))
        let shown = Self.displayed(run.command)
        let vertex = Vertex(.exec(exec), inputs: inputs, name: "\(prefix) RUN \(shown)", stage: state.name)
        state.filesystem = vertex
        let declared = state.scope.historyArguments
        let argumentPrefix = declared.isEmpty ? "" : "|\(declared.count) \(declared.joined(separator: " ")) "
        state.steps.append(BuildStep(createdBy: "RUN \(argumentPrefix)\(arguments.joined(separator: " ")) # buildkit", vertex: vertex))
    }

    /// The network of a RUN: its `--network`, else the build's default (`--network=default`
    /// is the build's default too, as in BuildKit). (Spelled out: with an optional, `== .none`
    /// would also match a RUN that says nothing.)
    static func network(_ flag: RunNetwork?, default defaultNetwork: NetworkMode) -> NetworkMode {
        switch flag {
        case .some(.none): .none
        case .some(.host): .host
        case .some(.default), nil: defaultNetwork
        }
    }

    private func applyCopy(sources: [String], inline: [InlineSource], destination: String, from: String?, chown: String?,
                           chmod: String?, excludes: [String], parents: Bool, unpack: Bool, keyword: String,
                           to state: inout StageState, prefix: String, converted: inout [Int: StageState]) async throws {
        let target = Self.absolute(destination, in: state.workingDirectory, keepTrailingSlash: true)
        let owner = chown.map(Self.owner)
        // An empty `--chmod` (an unset ARG) changes nothing; a bad one fails before anything runs.
        let chmod = chmod.flatMap { $0.isEmpty ? nil : $0 }
        if let chmod {
            do {
                _ = try ModeChange(parsing: chmod)
            } catch let error as BuildError {
                throw BuildError(error.code, "\(prefix) \(keyword): \(error.message)")
            }
        }
        var actions: [FileAction] = []
        var inputs = [state.filesystem]
        if !sources.isEmpty {
            inputs.append(try await sourceVertex(from: from, for: state, converted: &converted))
            actions.append(.copy(CopyAction(
                sourceInput: 1, sources: sources, destination: target, owner: owner, mode: chmod, excludes: excludes,
                keepParents: parents, unpackArchives: unpack)))
        }
        for source in inline {
            let path = target.hasSuffix("/") ? target + source.name : target
            let mode = try chmod.map { try ModeChange(parsing: $0).applied(to: 0o644, isDirectory: false) } ?? 0o644
            actions.append(.mkfile(path: path, contents: Array(source.content.utf8), mode: mode, owner: owner))
        }
        let shownSources = (sources + inline.map { "<<\($0.name)" }).joined(separator: " ")
        let vertex = Vertex(.file(FileOp(actions: actions)), inputs: inputs, name: "\(prefix) \(keyword) \(shownSources) \(destination)", stage: state.name)
        state.filesystem = vertex
        // BuildKit's wording: the flags that change files, the sources, the destination as written.
        let flags = (parents ? " --parents" : "") + (chown.map { " --chown=\($0)" } ?? "") + (chmod.map { " --chmod=\($0)" } ?? "")
        state.steps.append(BuildStep(createdBy: "\(keyword)\(flags) \(shownSources) \(destination) # buildkit", vertex: vertex))
    }

    /// `ADD URL dest`: the download as a source of its own, copied in without unpacking and,
    /// as BuildKit does, with mode 600 unless `--chmod` says otherwise.
    private func addURL(_ url: String, add: AddInstruction, to state: inout StageState, prefix: String) throws {
        var checksum: Digest?
        if let text = add.checksum {
            do {
                checksum = try Digest(parsing: text)
            } catch {
                throw BuildError(.invalidArgument, "\(prefix) ADD --checksum=\(text): \(error.message)")
            }
        }
        let file = DownloadFileName.of(url: url)
        let download = Vertex(.source(.http(url: url, checksum: checksum, filename: file, permissions: nil)), name: "\(prefix) https \(url)", stage: state.name)
        let target = Self.absolute(add.destination, in: state.workingDirectory, keepTrailingSlash: true)
        let vertex = Vertex(
            .file(FileOp(actions: [.copy(CopyAction(
                sourceInput: 1, sources: [file], destination: target, owner: add.chown.map(Self.owner),
                mode: add.chmod ?? "600", unpackArchives: add.unpack == true))])),
            inputs: [state.filesystem, download], name: "\(prefix) ADD \(url) \(add.destination)", stage: state.name)
        state.filesystem = vertex
        state.steps.append(BuildStep(createdBy: "ADD \(url) \(add.destination) # buildkit", vertex: vertex))
    }

    /// `ADD <git URL>[#ref[:subdir]] dest`: the checkout as a source, its files (or the
    /// subdirectory's) copied into `dest`.
    private func addGit(_ url: String, add: AddInstruction, to state: inout StageState, prefix: String) throws {
        let reference: GitReference
        do {
            reference = try GitReference(parsing: url)
        } catch let error as BuildError {
            throw BuildError(error.code, "\(prefix) ADD \(url): \(error.message)")
        }
        if add.keepGitDirectory && reference.keepGitDirectory == false {
            throw BuildError(.invalidArgument, "\(prefix) ADD \(url): inconsistent keep-git-dir configuration")
        }
        if let flag = add.checksum, let query = reference.checksum, flag != query {
            throw BuildError(.invalidArgument, "\(prefix) ADD \(url): checksum mismatch \"\(flag)\" != \"\(query)\"")
        }
        let subdirectory = reference.subdirectory ?? "."
        let checkout = Vertex(
            .source(.git(url: reference.remote, ref: reference.ref, keepGitDirectory: reference.keepGitDirectory ?? add.keepGitDirectory,
                         checksum: add.checksum ?? reference.checksum, submodules: reference.submodules)),
            name: "\(prefix) git \(url)", stage: state.name)
        let target = Self.absolute(add.destination, in: state.workingDirectory, keepTrailingSlash: true)
        let vertex = Vertex(
            .file(FileOp(actions: [.copy(CopyAction(
                sourceInput: 1, sources: [subdirectory], destination: target.hasSuffix("/") ? target : target + "/",
                owner: add.chown.map(Self.owner), mode: add.chmod))])),
            inputs: [state.filesystem, checkout], name: "\(prefix) ADD \(url) \(add.destination)", stage: state.name)
        state.filesystem = vertex
        state.steps.append(BuildStep(createdBy: "ADD \(url) \(add.destination) # buildkit", vertex: vertex))
    }

    /// The vertex `--from` names: an earlier stage (converted now if no other stage needed it
    /// yet: an ONBUILD trigger may name one), an image, or the build context when absent.
    private func sourceVertex(from: String?, for current: StageState, converted: inout [Int: StageState]) async throws -> Vertex {
        guard let from, !from.isEmpty else { return context }
        if namedContexts.contains(from) {
            return Vertex(.source(.local(name: from, include: [], exclude: namedContextExcludes[from] ?? [])),
                          name: "[internal] load build context \(from)")
        }
        if let image = contextImages[from] {
            return Self.imageVertex(image, platform: current.platform, name: "[internal] load \(image)")
        }
        if let stage = dockerfile.stage(named: from) {
            guard stage.index < current.index else {
                throw BuildError(
                    .invalidArgument,
                    "cannot copy from stage \"\(from)\", it needs to be defined before current stage \"\(current.name)\"")
            }
            if converted[stage.index] == nil {
                converted[stage.index] = try await convert(stage, converted: &converted)
            }
            if let state = converted[stage.index] { return state.filesystem }
        }
        return Self.imageVertex(from, platform: current.platform, name: "[internal] load \(from)")
    }

    /// An image source, or the empty filesystem for `scratch` (a build context may name it).
    static func imageVertex(_ reference: String, platform: Platform?, name: String) -> Vertex {
        reference == "scratch" ? Vertex(.merge, name: name) : Vertex(.source(.image(reference: reference, platform: platform)), name: name)
    }

    // MARK: Helpers

    public static func environment(_ entries: [String]?) -> [(name: String, value: String)] {
        (entries ?? []).map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// `path` made absolute against `directory`, cleaned; a trailing `/` kept when asked.
    static func absolute(_ path: String, in directory: String, keepTrailingSlash: Bool = false) -> String {
        let joined = path.hasPrefix("/") ? path : (directory.hasSuffix("/") ? directory : directory + "/") + path
        var components: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = components.popLast(); continue }
            components.append(part)
        }
        let cleaned = "/" + components.joined(separator: "/")
        return keepTrailingSlash && (path.hasSuffix("/") || path.hasSuffix("/.") || path == ".") && cleaned != "/" ? cleaned + "/" : cleaned
    }

    static func owner(_ text: String) -> FileOwner {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        return FileOwner(user: parts.first ?? text, group: parts.count > 1 ? parts[1] : nil)
    }

    static func displayed(_ command: CommandForm) -> String {
        switch command {
        case .exec(let words): json(words)
        case .shell(let text): text
        }
    }

    static func json(_ words: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: words, options: [.withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
