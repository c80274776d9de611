public import Foundation
import AsyncHTTPClient
import HoistArchive
public import HoistBuild
import HoistOCI
public import HoistRegistry
public import HoistS2I
import HoistRuntime
import HoistStore

extension Client {
    /// Builds `request` as `s2i build` does, on Hoist's build engine: the builder image (pulled
    /// when missing, as `pullPolicy` says), the scripts found where S2I looks, the source, then
    /// `assemble`, with `run` as the command and the labels the assemble script asked for in
    /// `.s2i/image_metadata.json`. Returns the image; nil when `asDockerfile` is given, in which
    /// case the Dockerfile is written there (its `upload/` beside it) and nothing is built.
    @discardableResult
    public func s2iBuild(_ request: S2IRequest, pullPolicy: PullPolicy = .missing, asDockerfile: URL? = nil,
                         progress: ProgressReporter = .discard) async throws -> ImageSummary? {
        if pullPolicy == .always || (pullPolicy == .missing && (try? resolve(request.builderImage)) == nil) {
            _ = try await pull(request.builderImage)
        }
        let builder = try resolve(request.builderImage)
        var runtimeConfig: ImageConfig?
        if let runtime = request.runtimeImage {
            if pullPolicy == .always || (pullPolicy == .missing && (try? resolve(runtime)) == nil) { _ = try await pull(runtime) }
            runtimeConfig = try resolve(runtime).config
        }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-s2i-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        var request = request
        if let repository = request.repository {
            request = try await checkOut(repository, ref: request.sourceRef, for: request, into: workspace.appendingPathComponent("checkout"))
        }
        var plan = try await S2IPlan.make(
            request, builder: builder.config, runtime: runtimeConfig, workspace: workspace, allowSourceContext: asDockerfile == nil,
            download: Self.scriptDownloader(), imageFileExists: imageFileChecker())
        // Builders with ONBUILD triggers build as S2I's onbuild strategy does: never incrementally.
        if request.incremental, plan.sourceContext == nil, let tag = request.tag, try await saveArtifacts(of: tag, plan: plan, pullPolicy: request.incrementalPullPolicy) {
            plan = try plan.addingArtifacts()
        }

        if let asDockerfile {
            let directory = asDockerfile.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let upload = directory.appendingPathComponent("upload")
            if FileManager.default.fileExists(atPath: upload.path) {
                throw S2IError(.alreadyExists, "\(upload.path) exists: --as-dockerfile writes the build's files there")
            }
            try FileManager.default.copyItem(at: workspace.appendingPathComponent("upload"), to: upload)
            try Data(plan.dockerfile.utf8).write(to: asDockerfile)
            return nil
        }

        var options = BuildOptions(
            context: plan.sourceContext ?? workspace, dockerfile: workspace.appendingPathComponent("Dockerfile"),
            tags: request.tag.map { [$0] } ?? [], progress: progress)
        if plan.sourceContext != nil {
            options.buildContexts = [S2IPlan.uploadContextName: workspace.appendingPathComponent("upload").path]
        }
        switch request.network {
        case "default", "bridge": options.defaultNetwork = .sandbox
        case "host": options.defaultNetwork = .host
        case "none": options.defaultNetwork = .none
        default: throw S2IError(.invalidArgument, "--network \(request.network): use default, host or none")
        }
        options.pullPolicy = .never
        options.stepLimits = StepLimits(
            memoryBytes: request.memoryBytes, cpuQuota: request.cpuQuota, cpuPeriod: request.cpuPeriod,
            capabilitiesDropped: request.capabilitiesDropped)
        let built = try await build(options)
        return try addMetadataLabels(to: built, name: request.tag, builder: builder.config)
    }

    /// Whether a file is in an image, for the script search's `image://` places; each image is
    /// unpacked (into the snapshots its build would use anyway) once.
    private func imageFileChecker() -> (String, String) async throws -> Bool {
        var solved: [String: SolvedBuild] = [:]
        return { image, path in
            let result: SolvedBuild
            if let known = solved[image] {
                result = known
            } else {
                result = try await self.solve(.image(image))
                solved[image] = result
            }
            return (try? result.stat(path)) != nil
        }
    }

    /// Clones `repository` at `ref` into `directory` and returns `request` with that checkout
    /// as its source and the commit for the labels; without the `.git` directory, as S2I
    /// uploads sources.
    private func checkOut(_ repository: String, ref: String?, for request: S2IRequest, into directory: URL) async throws -> S2IRequest {
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
        let log = try await git(["-C", directory.path, "log", "-1", "--format=%H%n%an <%ae>%n%ad%n%s"]).split(separator: "\n", omittingEmptySubsequences: false)
        try FileManager.default.removeItem(at: directory.appendingPathComponent(".git"))
        var request = request
        request.source = directory
        if log.count >= 4 {
            request.commit = S2ICommit(id: String(log[0]), author: String(log[1]), date: String(log[2]), message: String(log[3]), ref: ref)
        }
        return request
    }

    /// Runs `save-artifacts` in the previous image `tag` and unpacks its tar into the plan's
    /// `upload/artifacts`; false (a clean build follows) when there is no previous image or it
    /// has no such script.
    private func saveArtifacts(of tag: String, plan: S2IPlan, pullPolicy: String) async throws -> Bool {
        guard let script = plan.scriptPath("save-artifacts") else { return false }
        // The previous image comes from the registry as --incremental-pull-policy says.
        let present = (try? resolve(tag)) != nil
        switch pullPolicy {
        case "always": _ = try? await pull(tag)
        case "if-not-present": if !present { _ = try? await pull(tag) }
        case "never": break
        default: throw S2IError(.invalidArgument, "--incremental-pull-policy \(pullPolicy): use always, if-not-present or never")
        }
        guard (try? resolve(tag)) != nil else { return false }
        let artifacts = plan.context.appendingPathComponent("upload/artifacts")
        let archive = plan.context.appendingPathComponent("artifacts.tar")
        FileManager.default.createFile(atPath: archive.path, contents: nil)
        let sink = try FileHandle(forWritingTo: archive)
        defer { try? sink.close() }
        var options = RunOptions(command: [script], entrypoint: [])
        options.user = plan.assembleUser
        // No script in the previous image (or it failed): a clean build, as S2I falls back to.
        guard let code = try? await run(tag, options, standardOutput: { sink.write($0) }, standardError: { _ in }), code == 0 else {
            return false
        }
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        do {
            _ = try LayerApplier(root: artifacts.path, options: LayerApplier.Options(preserveOwnership: false))
                .apply(try FileByteSource(path: archive.path))
        } catch {
            throw S2IError(.dataLoss, "the save-artifacts output of \(tag) is not a tar archive", underlying: error)
        }
        return true
    }

    /// `hoist s2i usage`: runs the builder's `usage` script and returns what it printed.
    public func s2iUsage(_ builderImage: String, scriptsURL: String? = nil) async throws -> ContainerRun {
        let builder = try resolve(builderImage)
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-s2i-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace.appendingPathComponent("empty"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        let request = S2IRequest(source: workspace.appendingPathComponent("empty"), builderImage: builderImage, scriptsURL: scriptsURL)
        let (scripts, searched) = try await S2IPlan.findScripts(
            request, builder: builder.config, into: workspace.appendingPathComponent("scripts"), download: Self.scriptDownloader(),
            imageFileExists: imageFileChecker())
        guard case .image(let directory) = scripts["usage"] else {
            throw S2IError(.notFound, "\(builderImage) has no usage script in the image: looked in " + searched.joined(separator: ", "))
        }
        do {
            return try await image(builderImage).instantiate(.entrypoint([]), .command([directory + "/usage"])).run()
        } catch let error as ContainerError where error.code == .notFound {
            throw S2IError(.notFound, "\(builderImage) has no usage script at \(directory)/usage", underlying: error)
        }
    }

    /// A client for scripts URLs that gives up on a server within seconds: a scripts URL is one
    /// place among several to look, and a server that is not there must not hold the build.
    private static let scriptsHTTPClient = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(3), read: .seconds(30))))

    /// Fetches scripts from http(s) scripts URLs: nil when the server has none (404) or cannot
    /// be reached — then not asked again for the other scripts of this build.
    private static func scriptDownloader() -> (URL) async throws -> Data? {
        var unreachable: Set<String> = []
        return { url in
            let server = "\(url.host ?? ""):\(url.port ?? 0)"
            guard !unreachable.contains(server) else { return nil }
            // AsyncHTTPClient, as for ADD: Foundation's URLSession does not link into a static hoist.
            let response: HTTPClientResponse
            do {
                response = try await scriptsHTTPClient.execute(HTTPClientRequest(url: url.absoluteString), timeout: .seconds(30))
            } catch {
                unreachable.insert(server)
                return nil
            }
            if response.status.code == 404 { return nil }
            guard (200..<300).contains(Int(response.status.code)) else {
                throw S2IError(.unavailable, "\(url) answered \(response.status.code)")
            }
            var body = try await response.body.collect(upTo: 16 << 20)
            return body.readBytes(length: body.readableBytes).map { Data($0) }
        }
    }

    /// Adds the labels of the image's `.s2i/image_metadata.json` (under the S2I destination)
    /// to its config, as S2I does after assemble; the image is returned as it is without one.
    private func addMetadataLabels(to built: ImageSummary, name: String?, builder: ImageConfig) throws -> ImageSummary {
        let image = try resolve(built.id.description)
        let destination = builder.config?.labels?[S2ILabels.destination] ?? "/tmp"
        let path = String((destination + "/" + S2ILabels.imageMetadataFile).drop { $0 == "/" })
        guard let data = try file(path, in: image),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let entries = object["labels"] as? [[String: Any]], !entries.isEmpty
        else { return built }
        var config = image.config
        var containerConfig = config.config ?? ContainerConfig()
        var labels = containerConfig.labels ?? [:]
        for entry in entries { for (key, value) in entry { labels[key] = "\(value)" } }
        containerConfig.labels = labels
        config.config = containerConfig
        return try store.withWriteLease {
            let configBlob = try store.content.write(try CanonicalJSON.encode(config))
            var manifest = image.manifest
            manifest.config = Descriptor(mediaType: manifest.config.mediaType, digest: configBlob.digest, size: configBlob.size)
            let manifestBlob = try store.content.write(try CanonicalJSON.encode(manifest))
            let target = Descriptor(mediaType: image.manifestDescriptor.mediaType, digest: manifestBlob.digest, size: manifestBlob.size)
            let now = Date()
            if let name {
                try store.setName(try parseReference(name).description, target: target, created: now)
            } else {
                try store.addUnnamed(target: target, created: now)
            }
            return ImageSummary(
                reference: try name.map(parseReference), id: configBlob.digest, digest: manifestBlob.digest, created: built.created,
                size: built.size - image.manifest.config.size + configBlob.size)
        }
    }

    /// The contents of regular file `path` (relative to the root) in `image`, from its topmost
    /// layer that has it; nil when no layer does or a later one deletes it.
    func file(_ path: String, in image: LocalImage) throws -> Data? {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let parent = (path as NSString).deletingLastPathComponent
        let whiteout = (parent.isEmpty ? "" : parent + "/") + ".wh." + name
        for layer in image.manifest.layers.reversed() {
            guard let blob = store.content.path(try layer.digest) else { continue }
            var reader = TarReader(try DecompressingSource(try FileByteSource(path: blob)))
            while let header = try reader.next() {
                let entry = header.name.hasPrefix("./") ? String(header.name.dropFirst(2)) : header.name
                if entry == whiteout { return nil }
                if entry == path, header.type == .regular { return Data(try reader.readContents()) }
            }
        }
        return nil
    }
}
