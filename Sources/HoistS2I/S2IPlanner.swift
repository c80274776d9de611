#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistBuild
public import HoistOCI

/// Works out an ``S2IPlan`` as S2I prepares a build: the destination, the scripts, the
/// assembling user, the environment, the injections, where an incremental build's artifacts
/// come from, and the runtime stage. Images are asked of the host; scripts from outside the
/// images are copied into the workspace.
struct S2IPlanner: Sendable {
    let host: any S2IHost
    let puller: S2IPuller
    let http = S2IHTTP()
    let progress: S2IProgress
    /// Where uploaded scripts are gathered.
    let scriptsDirectory: URL
    let runtimeScriptsDirectory: URL

    /// The plan of `request` (its source local, its images obtained): `builder` with
    /// `onBuildBase` for an ONBUILD builder, `runtime` for `--runtime-image`.
    func plan(_ request: S2IRequest, application: URL, builder: S2IImage, onBuildBase: BuildState?,
              runtime: S2IImage?) async throws -> S2IPlan {
        let builderConfig = onBuildBase?.imageConfig ?? builder.config
        let container = builderConfig.config ?? ContainerConfig()
        let search = S2IScriptSearch(host: host, http: http, image: request.builderImage)
        let scripts = try await search.find(
            ["assemble", "run", "save-artifacts"], in: S2IScriptSearch.builderPlaces(request, application: application, config: builder.config),
            into: scriptsDirectory)
        for required in ["assemble", "run"] where scripts.locations[required] == nil {
            throw S2IError(.notFound, "no \(required) script: looked in " + scripts.searched.joined(separator: ", "))
        }
        let labels = container.labels ?? [:]
        let assembleUser = [request.assembleUser, labels[S2ILabels.assembleUser], container.user]
            .compactMap { $0 }.first { !$0.isEmpty } ?? ""
        var plan = S2IPlan(
            builderImage: request.builderImage, builderConfig: builderConfig, onBuildBase: onBuildBase,
            destination: request.destination.flatMap { $0.isEmpty ? nil : $0 } ?? Self.destination(of: builder.config),
            assembleUser: assembleUser, scripts: scripts,
            sourceExclusions: try S2ISourceExclusions(source: application, excludePattern: request.excludePattern),
            environment: try Self.environment(request, application: application), labels: Self.outputLabels(request),
            injections: try await injections(request, builder: request.builderImage, workingDirectory: S2IPlan.workingDirectory(of: builderConfig)),
            artifacts: nil, artifactsCache: nil, network: request.network, runtime: nil)
        if let runtime, let image = request.runtimeImage {
            plan.runtime = try await runtimeStage(request, image: image, config: runtime.config, application: application)
        }
        return plan
    }

    // MARK: Incremental builds

    /// Where an incremental build of `plan` takes its artifacts from, as S2I decides whether
    /// to build incrementally, with the cache mount Hoist adds: the previous image when the
    /// backend holds it (or it is pulled as `--incremental-pull-policy` says), else the
    /// artifacts the last incremental build left in the cache mount; nil for a clean build.
    /// Returns the plan with its artifacts, and the previous image (for `--rm`).
    func incremental(_ plan: S2IPlan, _ request: S2IRequest) async throws -> (plan: S2IPlan, previous: S2IImage?) {
        var plan = plan
        guard request.incremental else { return (plan, nil) }
        guard plan.onBuildBase == nil else {
            progress.report(.note("Clean build will be performed: builders with ONBUILD instructions build from scratch"))
            return (plan, nil)
        }
        guard let save = plan.scripts.locations["save-artifacts"] else {
            progress.report(.note("Clean build will be performed: there is no save-artifacts script"))
            return (plan, nil)
        }
        guard let reference = request.previousImage else {
            progress.report(.note("Clean build will be performed: no tag names the previous image"))
            return (plan, nil)
        }
        let cache = "s2i-artifacts:" + reference
        // Artifacts that go through the cache must not hold what was injected.
        if !plan.injections.contains(where: { !$0.keep }) { plan.artifactsCache = cache }
        var previous: S2IImage?
        if request.incrementalPullPolicy == .always {
            previous = try? await puller.obtain(reference, policy: .always)
        } else {
            previous = try await puller.inspect(reference)
            if previous == nil, plan.artifactsCache != nil, await host.cacheMount(cache, contains: S2IPlan.cachedArtifactsFile) {
                progress.report(.note("Existing artifacts of \(reference) found in the build cache: incremental build without the previous image"))
                plan.artifacts = .cacheMount
                return (plan, nil)
            }
            if previous == nil, request.incrementalPullPolicy == .ifNotPresent {
                previous = try? await puller.obtain(reference, policy: .ifNotPresent)
            }
        }
        guard let previous else {
            progress.report(.note("Clean build will be performed: there is no previous image \(reference)"))
            return (plan, nil)
        }
        progress.report(.note("Existing image for tag \(reference) detected for incremental build"))
        let config = previous.config.config ?? ContainerConfig()
        let script: String
        switch save {
        case .image(let path): script = path
        case .uploaded: script = S2IPlan.mountedSaveScript
        }
        plan.artifacts = .previousImage(S2IPlan.PreviousImage(
            reference: previous.id, script: script, uploaded: save == .uploaded,
            user: [request.assembleUser, config.user].compactMap { $0 }.first { !$0.isEmpty } ?? "",
            environment: config.env ?? [], workingDirectory: S2IPlan.workingDirectory(of: previous.config),
            unpackedInAssemble: try await hasTar(plan)))
        return (plan, previous)
    }

    /// Whether the builder has a `tar` on its `PATH` (S2I's requirement for unpacking in the
    /// build container; without one, S2I makes a layered build).
    private func hasTar(_ plan: S2IPlan) async throws -> Bool {
        let path = (plan.builderConfig.config?.env ?? []).last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for directory in path.split(separator: ":") where directory.hasPrefix("/") {
            switch try await host.file(S2IPlan.join(String(directory), "tar"), in: plan.builderImage) {
            case .regular?, .other?: return true
            case .directory?, nil: continue
            }
        }
        return false
    }

    // MARK: Injections

    /// The injections of `request`, each checked as S2I's upload checks it: the source must
    /// exist on this machine, and the directory its destination is in must exist in the
    /// builder image. Relative destinations are under the image's working directory.
    private func injections(_ request: S2IRequest, builder: String, workingDirectory: String) async throws -> [S2IPlan.Injection] {
        var result: [S2IPlan.Injection] = []
        for injection in request.injections {
            let source = URL(fileURLWithPath: injection.source).standardizedFileURL
            let destination = injection.destination(under: workingDirectory)
            let parent = (destination as NSString).deletingLastPathComponent
            guard case .directory = try await host.file(parent.isEmpty ? "/" : parent, in: builder) else {
                throw S2IError(
                    .failedPrecondition,
                    "the destination directory for the \"\(injection.source)\" injection must exist in the image: \(parent) is not a directory of \(builder)")
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
                throw S2IError(.notFound, "-i \(injection): \(source.path) does not exist")
            }
            guard isDirectory.boolValue else {
                result.append(S2IPlan.Injection(
                    directory: source.deletingLastPathComponent(), root: parent.isEmpty ? "/" : parent, directories: [],
                    files: [.init(source: source.lastPathComponent, destination: destination)], keep: injection.keep))
                continue
            }
            let (files, directories) = Self.tree(of: source)
            result.append(S2IPlan.Injection(
                directory: source, root: destination, directories: [destination] + directories.map { destination + "/" + $0 },
                files: files.map { .init(source: $0, destination: destination + "/" + $0) }, keep: injection.keep))
        }
        return result
    }

    /// The files and directories under `directory` (relative, sorted) as S2I lists what it
    /// injects: symbolic links to files count as files, links to directories are skipped.
    static func tree(of directory: URL) -> (files: [String], directories: [String]) {
        var files: [String] = []
        var directories: [String] = []
        func walk(_ relative: String) {
            let host = relative.isEmpty ? directory.path : directory.path + "/" + relative
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: host)) ?? []).sorted() {
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard stat(directory.path + "/" + path, &info) == 0 else { continue }
                var link = stat()
                let isLink = lstat(directory.path + "/" + path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK
                switch info.st_mode & S_IFMT {
                case S_IFDIR where !isLink:
                    directories.append(path)
                    walk(path)
                case S_IFREG:
                    files.append(path)
                default:
                    continue
                }
            }
        }
        walk("")
        return (files, directories)
    }

    // MARK: Runtime stage

    private func runtimeStage(_ request: S2IRequest, image: String, config: ImageConfig, application: URL) async throws -> S2IPlan.Runtime {
        let labels = config.config?.labels ?? [:]
        var artifacts = request.runtimeArtifacts
        if artifacts.isEmpty {
            let mapping = labels[S2ILabels.assembleInputFiles] ?? ""
            guard !mapping.isEmpty else {
                throw S2IError(
                    .invalidArgument,
                    "no runtime artifacts to copy were specified: give --runtime-artifact or the \(S2ILabels.assembleInputFiles) label of \(image)")
            }
            artifacts = try mapping.split(separator: ";").flatMap { try S2IPathMapping.parseList(String($0), option: S2ILabels.assembleInputFiles) }
        }
        for artifact in artifacts {
            let problem: String? =
                !artifact.source.hasPrefix("/") ? "source must be an absolute path"
                : artifact.destination.hasPrefix("/") ? "destination must be a relative path"
                : artifact.destination.hasPrefix("..") ? "destination cannot start with '..'" : nil
            if let problem {
                throw S2IError(.invalidArgument, "invalid runtime artifacts mapping: \"\(artifact.source)\" -> \"\(artifact.destination)\": \(problem)")
            }
        }
        var places: [S2IScriptPlace] = []
        if let url = request.scriptsURL, !url.isEmpty { places.append(S2IScriptPlace(what: "--scripts-url", url: url)) }
        places.append(S2IScriptSearch.sourcePlace(application))
        if let url = S2IScriptSearch.scriptsURL(of: config) { places.append(S2IScriptPlace(what: "the runtime image's \(S2ILabels.scriptsURL)", url: url)) }
        places.append(S2IScriptPlace(what: "--image-scripts-url", url: request.imageScriptsURL))
        let scripts = try await S2IScriptSearch(host: host, http: http, image: image)
            .find(["assemble-runtime", "run"], in: places, into: runtimeScriptsDirectory)
        guard scripts.locations["run"] != nil else {
            throw S2IError(.notFound, "the runtime image \(image) has no run script: looked in " + scripts.searched.joined(separator: ", "))
        }
        return S2IPlan.Runtime(
            image: image, config: config, artifacts: artifacts, scripts: scripts,
            assembleUser: [request.assembleRuntimeUser, labels[S2ILabels.assembleRuntimeUser]].compactMap { $0 }.first { !$0.isEmpty } ?? "")
    }

    // MARK: Settings read from images and the source

    /// Where S2I puts scripts, source and artifacts in `config`'s image: its
    /// `io.openshift.s2i.destination` label, its old `io.s2i.destination` label, its
    /// `STI_LOCATION` variable, else `/tmp`.
    static func destination(of config: ImageConfig) -> String {
        let labels = config.config?.labels ?? [:]
        for name in [S2ILabels.destination, S2ILabels.deprecatedDestination] {
            if let value = labels[name], !value.isEmpty { return value }
        }
        return environmentValue(S2ILabels.deprecatedDestinationEnvironment, in: config) ?? S2ILabels.defaultDestination
    }

    /// The value of variable `name` in the image's environment, if set and not empty.
    static func environmentValue(_ name: String, in config: ImageConfig) -> String? {
        for entry in config.config?.env ?? [] where entry.hasPrefix(name + "=") {
            let value = String(entry.dropFirst(name.count + 1))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The build's environment: `.s2i/environment`, `-e`, then `-E`.
    static func environment(_ request: S2IRequest, application: URL) throws -> S2IEnvironment {
        var environment = S2IEnvironment()
        if let text = try? String(contentsOf: application.appendingPathComponent(".s2i/environment"), encoding: .utf8) {
            environment.add(sourceFile: text)
        }
        for argument in request.environment { try environment.add(argument: argument) }
        if let file = request.environmentFile {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw S2IError(.notFound, "cannot read the environment file \(file.path)")
            }
            environment.add(environmentFile: text)
        }
        return environment
    }

    /// The labels S2I writes into the image it builds (`GenerateOutputImageLabels`): the
    /// description, the display name (default: the tag), the builder, and where the source
    /// came from (its commit, for a git source).
    static func outputLabels(_ request: S2IRequest) -> [String: String] {
        var labels: [String: String] = [:]
        func add(_ name: String, _ value: String?) {
            if let value, !value.isEmpty { labels[name] = value }
        }
        add(S2ILabels.description, request.description)
        add(S2ILabels.displayName, request.displayName.flatMap { $0.isEmpty ? nil : $0 } ?? request.tag)
        add(S2ILabels.buildImage, request.builderImage)
        if let commit = request.commit {
            add(S2ILabels.commitAuthor, commit.author)
            add(S2ILabels.commitDate, commit.date)
            add(S2ILabels.commitID, commit.id)
            add(S2ILabels.commitRef, commit.ref)
            add(S2ILabels.commitMessage, commit.message)
        }
        add(S2ILabels.sourceLocation, request.repository ?? request.source.path)
        add(S2ILabels.sourceContextDirectory, request.contextDirectory)
        return labels
    }
}
