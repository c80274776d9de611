public import Foundation
public import HoistBuild
public import HoistOCI

extension S2IPlan {
    /// The plan as a build graph.
    public struct Graph: Sendable {
        /// The output image's state: its files, config and history.
        public var state: BuildState
        /// The step that saves the previous image's artifacts, when there is one: a build
        /// that fails there becomes a clean one, as S2I falls back.
        public var saveArtifacts: Vertex?
        /// The local sources the graph names, with their directories.
        public var localDirectories: [String: URL]
    }

    /// The build graph of the plan, as the build engine solves it: the builder (or its ONBUILD
    /// state), the uploaded scripts and the source copied to the destination, the previous
    /// image's artifacts unpacked, empty files for the injections, then assemble with the
    /// injections bound over them, and the output config; with a runtime image, a second
    /// stage of it with the artifacts, `assemble-runtime` and `run`.
    ///
    /// `scriptsDirectory` holds the uploaded scripts, `runtimeScriptsDirectory` the runtime
    /// image's.
    public func graph(scriptsDirectory: URL, runtimeScriptsDirectory: URL, source: URL) -> Graph {
        var locals: [String: URL] = [:]
        func local(_ name: String, _ directory: URL, exclude: [String] = []) -> Vertex {
            locals[name] = directory
            return Vertex(.source(.local(name: name, include: [], exclude: exclude)), name: "local \(name)")
        }
        var chain: GraphChain
        if let onBuildBase {
            chain = GraphChain(onBuildBase.vertex, steps: onBuildBase.steps)
            locals[LocalName.context] = source
        } else {
            chain = GraphChain(Vertex(.source(.image(reference: builderImage, platform: nil)), name: "FROM \(builderImage)"))
        }
        if scripts.hasUploads {
            chain.copy(from: local(LocalName.scripts, scriptsDirectory), "/", to: self.scriptsDirectory + "/", owner: owner,
                       shown: "COPY scripts \(self.scriptsDirectory)")
        }
        if onBuildBase == nil {
            chain.copy(from: local(LocalName.source, source, exclude: sourceExclusions.patterns), "/", to: destination + "/src/", owner: owner,
                       shown: "COPY src \(destination)/src")
        }
        var saveVertex: Vertex?
        var mounts = [ExecMount(input: 0, destination: "/")]
        var inputs: [Vertex] = []
        if case .previousImage(let previous) = artifacts {
            let saved = saveStep(previous, scripts: previous.uploaded ? local(LocalName.scripts, scriptsDirectory) : nil)
            saveVertex = saved
            if previous.unpackedInAssemble {
                inputs.append(saved)
                mounts.append(ExecMount(input: inputs.count, selector: Self.savedArtifacts, destination: Self.mountedArtifacts, readOnly: true))
            } else {
                chain.copy(from: saved, Self.savedArtifacts, to: destination + "/artifacts/", owner: owner, unpack: true,
                           shown: "ADD artifacts \(destination)/artifacts")
            }
        }
        for (index, injection) in injections.enumerated() {
            let directory = local(LocalName.injection(index), injection.directory)
            if injection.keep {
                for file in injection.files {
                    chain.copy(from: directory, file.source, to: file.destination, owner: nil, shown: "COPY injection \(file.destination)")
                }
                continue
            }
            let actions = injection.directories.map { FileAction.mkdir(path: $0, mode: 0o777, makeParents: true, owner: nil) }
                + injection.files.map { FileAction.mkfile(path: $0.destination, contents: [], mode: 0o666, owner: nil) }
            chain.add(.file(FileOp(actions: actions)), shown: "injection \(injection.directory.path): empty files")
            inputs.append(directory)
            for file in injection.files {
                mounts.append(ExecMount(input: inputs.count, selector: file.source, destination: file.destination, readOnly: true))
            }
        }
        if let cache = artifactsCache {
            mounts.append(ExecMount(
                input: nil, destination: Self.cacheMountPoint, kind: .cache(id: cache, sharing: .locked, uid: 0, gid: 0, mode: 0o777)))
        }
        let config = builderConfig.config ?? ContainerConfig()
        chain.add(
            .exec(ExecOp(
                arguments: assembleCommand, environment: Self.merged(config.env ?? [], environment),
                workingDirectory: Self.workingDirectory(of: builderConfig), user: assembleUser, network: network, mounts: mounts)),
            inputs: inputs, shown: "RUN \(assembleCommand.joined(separator: " "))")
        let builderState = chain.state(config: outputConfig(of: builderConfig, command: runtime == nil ? runCommand : nil),
                                       baseHistory: onBuildBase?.baseHistory ?? builderConfig.history ?? [])
        guard let runtime else { return Graph(state: builderState, saveArtifacts: saveVertex, localDirectories: locals) }
        return Graph(
            state: runtimeState(runtime, built: chain.vertex, scripts: local(LocalName.runtimeScripts, runtimeScriptsDirectory)),
            saveArtifacts: saveVertex, localDirectories: locals)
    }

    /// The step that runs `save-artifacts` in the previous image and leaves its tar at
    /// ``savedArtifacts``.
    private func saveStep(_ previous: PreviousImage, scripts: Vertex?) -> Vertex {
        let image = Vertex(.source(.image(reference: previous.reference, platform: nil)), name: "FROM \(previous.reference)")
        var mounts = [ExecMount(input: 0, destination: "/")]
        var script = previous.script
        if scripts != nil {
            mounts.append(ExecMount(input: 1, selector: "save-artifacts", destination: Self.mountedSaveScript, readOnly: true))
            script = Self.mountedSaveScript
        }
        let command = ["/bin/sh", "-c", "\(Self.shellQuoted(script)) > \(Self.savedArtifacts)"]
        return Vertex(
            .exec(ExecOp(arguments: command, environment: previous.environment, workingDirectory: previous.workingDirectory,
                         user: previous.user, network: network, mounts: mounts)),
            inputs: [image] + (scripts.map { [$0] } ?? []), name: "save-artifacts of \(previous.reference)")
    }

    /// The runtime stage: the runtime image, the artifacts from `built`, its uploaded scripts,
    /// `assemble-runtime`, and its config.
    private func runtimeState(_ runtime: Runtime, built: Vertex, scripts: Vertex) -> BuildState {
        var chain = GraphChain(Vertex(.source(.image(reference: runtime.image, platform: nil)), name: "FROM \(runtime.image)"))
        let config = runtime.config.config ?? ContainerConfig()
        let user = config.user.flatMap { $0.isEmpty ? nil : FileOwner(user: String($0.split(separator: ":").first ?? ""), group: "0") }
        for artifact in runtime.artifacts {
            chain.copy(from: built, artifact.source, to: runtimeDestination(of: artifact, in: runtime), owner: user,
                       shown: "COPY --from=builder \(artifact.source) \(runtimeDestination(of: artifact, in: runtime))")
        }
        if runtime.scripts.hasUploads {
            chain.copy(from: scripts, "/", to: runtimeScriptsDirectory(runtime) + "/", owner: user, shown: "COPY scripts \(runtimeScriptsDirectory(runtime))")
        }
        if let assemble = runtime.scripts.path(of: "assemble-runtime", uploadDirectory: runtimeScriptsDirectory(runtime)) {
            chain.add(
                .exec(ExecOp(
                    arguments: [assemble], environment: Self.merged(config.env ?? [], environment),
                    workingDirectory: Self.workingDirectory(of: runtime.config), user: runtime.assembleUser.isEmpty ? config.user ?? "" : runtime.assembleUser,
                    network: network, mounts: [ExecMount(input: 0, destination: "/")])),
                shown: "RUN \(assemble)")
        }
        return chain.state(config: outputConfig(of: runtime.config, command: runCommand), baseHistory: runtime.config.history ?? [])
    }

    /// Where a runtime artifact goes: its name, in its destination under the runtime image's
    /// working directory.
    func runtimeDestination(of artifact: S2IPathMapping, in runtime: Runtime) -> String {
        let relative = artifact.destination.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        let name = artifact.source.split(separator: "/").last.map(String.init) ?? ""
        return Self.join(Self.join(Self.workingDirectory(of: runtime.config), relative), name)
    }

    /// The image config S2I commits: the base's, with the build's environment, its labels over
    /// the base's, `command` (the `run` script) as CMD, and the base's own user.
    func outputConfig(of base: ImageConfig, command: [String]?) -> ImageConfig {
        var config = base
        var container = base.config ?? ContainerConfig()
        container.env = Self.merged(container.env ?? [], environment)
        var labels = container.labels ?? [:]
        labels.merge(self.labels) { $1 }
        container.labels = labels.isEmpty ? nil : labels
        if let command { container.cmd = command }
        config.config = container
        return config
    }

    /// `base` (`NAME=value` entries) with the S2I environment over it.
    static func merged(_ base: [String], _ environment: S2IEnvironment) -> [String] {
        var entries = base
        for (name, value) in environment.variables {
            let entry = "\(name)=\(value)"
            if let index = entries.firstIndex(where: { $0.hasPrefix(name + "=") || $0 == name }) {
                entries[index] = entry
            } else {
                entries.append(entry)
            }
        }
        return entries
    }
}

/// A chain of vertices on a root filesystem, each the next step, with the history the image
/// gets of them.
struct GraphChain {
    private(set) var vertex: Vertex
    private(set) var steps: [BuildStep]

    init(_ base: Vertex, steps: [BuildStep] = []) {
        vertex = base
        self.steps = steps
    }

    /// Adds `op` on the chain (input 0), with `inputs` after it.
    mutating func add(_ op: Op, inputs: [Vertex] = [], shown: String) {
        vertex = Vertex(op, inputs: [vertex] + inputs, name: shown)
        steps.append(BuildStep(createdBy: shown, vertex: vertex))
    }

    /// Copies `path` of `source` to `destination`, with COPY's rules (ADD's with `unpack`).
    mutating func copy(from source: Vertex, _ path: String, to destination: String, owner: FileOwner?, unpack: Bool = false,
                       shown: String) {
        add(.file(FileOp(actions: [.copy(CopyAction(sourceInput: 1, sources: [path], destination: destination, owner: owner,
                                                      unpackArchives: unpack))])),
            inputs: [source], shown: shown)
    }

    /// The chain as a state whose image gets `config`, `baseHistory` then the chain's steps.
    func state(config: ImageConfig, baseHistory: [HistoryEntry]) -> BuildState {
        BuildState(vertex, imageConfig: config, baseHistory: baseHistory, steps: steps)
    }
}
