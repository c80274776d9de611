public import Foundation

extension S2IBuilder {
    /// `s2i rebuild IMAGE [NEW_TAG]`: builds again the image S2I built as `image`, from what its
    /// labels say — the builder (`io.openshift.s2i.build.image`), the source
    /// (`…build.source-location`, at `…build.commit.ref`, in `…build.source-context-dir`), the
    /// scripts URL, the description and display name — into `newTag` (default: `image`).
    /// `options` gives the other settings (pull policies, `--incremental`, `--callback-url` …);
    /// its source, builder and tag are replaced.
    ///
    /// - Throws: ``S2IError`` `invalidArgument` when a required label is missing, as S2I
    ///   refuses it; what ``build(_:)`` throws.
    @discardableResult
    public func rebuild(_ image: String, as newTag: String? = nil, options: S2IRequest) async throws -> S2IResult {
        let puller = S2IPuller(options, host: host, progress: progress)
        guard let found = try await puller.obtain(image, policy: options.builderPullPolicy) else {
            throw S2IError(.notFound, "image \(image) is not there, and --pull-policy never forbids pulling it")
        }
        try options.allowedUIDs.map(AllowedUserCheck.init)?.check(image: image, config: found.config, assembleUser: options.assembleUser)
        let request = try Self.request(rebuilding: image, labels: found.config.config?.labels ?? [:], as: newTag, options: options)
        return try await build(request)
    }

    /// The request that rebuilds `image` from its `labels` (S2I's `GenerateConfigFromLabels`).
    static func request(rebuilding image: String, labels: [String: String], as newTag: String?, options: S2IRequest) throws -> S2IRequest {
        guard let builder = labels[S2ILabels.buildImage], !builder.isEmpty else {
            throw S2IError(.invalidArgument, "required label \"\(S2ILabels.buildImage)\" not found in image \(image)")
        }
        guard let location = labels[S2ILabels.sourceLocation], !location.isEmpty else {
            throw S2IError(.invalidArgument, "required label \"\(S2ILabels.sourceLocation)\" not found in image \(image)")
        }
        var request = options
        request.builderImage = builder
        request.tag = newTag ?? image
        request.scriptsURL = [labels[S2ILabels.scriptsURL], labels[S2ILabels.deprecatedScriptsURL]].compactMap { $0 }.first { !$0.isEmpty }
        request.description = labels[S2ILabels.description]
        request.displayName = labels[S2ILabels.displayName]
        request.contextDirectory = labels[S2ILabels.sourceContextDirectory].flatMap { $0.isEmpty ? nil : $0 }
        request.sourceRef = labels[S2ILabels.commitRef].flatMap { $0.isEmpty ? nil : $0 }
        request.commit = nil
        // A repository (a URL, or a path with a ref) is checked out again; a directory copied.
        let isRemote = location.contains("://") || location.hasPrefix("git@")
        if isRemote || request.sourceRef != nil || labels[S2ILabels.commitID] != nil {
            request.repository = location
        } else {
            request.repository = nil
            request.source = URL(fileURLWithPath: location)
        }
        return request
    }

    /// `s2i usage BUILDER`: runs the builder's `usage` script (found where S2I looks for
    /// scripts, `scriptsURL` first) and returns its exit code; its output goes to the events.
    public func usage(_ builderImage: String, scriptsURL: String? = nil, options: S2IRequest? = nil) async throws -> Int32 {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-s2i-\(UUID().uuidString)")
        let empty = workspace.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        var request = options ?? S2IRequest(source: empty, builderImage: builderImage)
        request.source = empty
        request.builderImage = builderImage
        request.scriptsURL = scriptsURL
        let puller = S2IPuller(request, host: host, progress: progress)
        guard let builder = try await puller.obtain(builderImage, policy: request.builderPullPolicy) else {
            throw S2IError(.notFound, "builder image \(builderImage) is not there, and --pull-policy never forbids pulling it")
        }
        let scriptsDirectory = workspace.appendingPathComponent("scripts")
        let scripts = try await S2IScriptSearch(host: host, http: S2IHTTP(), image: builderImage).find(
            ["usage"], in: S2IScriptSearch.builderPlaces(request, application: empty, config: builder.config), into: scriptsDirectory)
        let destination = S2IPlanner.destination(of: builder.config)
        var spec = S2IRunSpec(entrypoint: [], network: request.network)
        switch scripts.locations["usage"] {
        case .image(let path)?:
            spec.command = [path]
        case .uploaded?:
            spec.command = [destination + "/scripts/usage"]
            spec.binds = [S2IRunSpec.Bind(host: scriptsDirectory.appendingPathComponent("usage").path, container: destination + "/scripts/usage")]
        case nil:
            throw S2IError(.notFound, "\(builderImage) has no usage script: looked in " + scripts.searched.joined(separator: ", "))
        }
        let progress = self.progress
        return try await host.run(builderImage, spec) { stream, data in progress.report(.output(stream, data)) }
    }
}
