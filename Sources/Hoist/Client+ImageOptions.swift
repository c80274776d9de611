import Foundation
import HoistArchive
import HoistRegistry

extension Client {
    /// The image `name`, made ready as `options` say: built from a Dockerfile or a context
    /// (tagged `name`) when it is missing or ``ImageOptions/forceRebuild`` says so, or taken
    /// from the store and pulled from its registry when the pull policy asks for it. With
    /// ``ImageOptions/fallsBackToLocalImage`` a failed pull of an image the store has returns
    /// that image, the registry's error in ``Image/pullFailure``. Throws ``ContainerError``
    /// (`imageOptions`, `build` or `pull`).
    ///
    /// ```swift
    /// let image = try await client.image("grader:1", .build(.dockerfile("FROM busybox\nRUN echo hi > /x")))
    /// let latest = try await client.image("registry.example/tools:1", .latestOrLocal)
    /// if let failure = latest.pullFailure { print("using the local image: \(failure)") }
    /// ```
    public func image(_ name: String, _ options: ImageOptions) async throws -> Image {
        var image = Image(client: self, name: name)
        if let build = options.build {
            let exists = await image.exists()
            if options.forceRebuild || !exists {
                try await ContainerError.during(.build) { try await self.build(build, as: name, options) }
            }
            return image
        }
        let pull: Bool
        switch options.pullPolicy {
        case .always: pull = true
        case .missing: pull = await !image.exists()
        case .never:
            guard await image.exists() else {
                throw ContainerError(.imageOptions, .notFound, "image \(name) is not in the store and the pull policy is never")
            }
            pull = false
        }
        guard pull else { return image }
        do {
            try await ContainerError.during(.pull) {
                _ = try await containerBackend.pullImage(name, platform: nil, configuration: options.registry) { _ in }
            }
        } catch let failure as ContainerError {
            guard options.fallsBackToLocalImage, await image.exists() else { throw failure }
            image.pullFailure = failure
        }
        return image
    }

    private func build(_ build: ImageBuild, as name: String, _ options: ImageOptions) async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-context-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let context: URL
        var dockerfile: URL?
        switch build {
        case .dockerfile(let text, let directory):
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            dockerfile = scratch.appendingPathComponent("Dockerfile")
            try Data(text.utf8).write(to: dockerfile!)
            if let directory {
                context = directory
            } else {
                context = scratch.appendingPathComponent("context")
                try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
            }
        case .directory(let directory, let path):
            context = directory
            dockerfile = try path.map { try Self.inside(directory, $0) }
        case .contextArchive(let data, let path):
            context = try Self.extract(MemoryByteSource(Array(data)), into: scratch)
            dockerfile = try path.map { try Self.inside(context, $0) }
        case .contextStream(let stream, let path):
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            let archive = scratch.appendingPathComponent("context.tar")
            FileManager.default.createFile(atPath: archive.path, contents: nil)
            let handle = try FileHandle(forWritingTo: archive)
            do {
                for try await chunk in stream { try handle.write(contentsOf: chunk) }
                try handle.close()
            } catch {
                try? handle.close()
                throw ContainerError(.build, .invalidArgument, "cannot read the build context stream", underlying: error)
            }
            context = try Self.extract(try FileByteSource(path: archive.path), into: scratch.appendingPathComponent("extracted"))
            dockerfile = try path.map { try Self.inside(context, $0) }
        }
        var buildOptions = BuildOptions(
            context: context, dockerfile: dockerfile, tags: [name], buildArguments: options.buildArguments, target: options.target,
            progress: options.progress)
        buildOptions.pullPolicy = .missing
        buildOptions.noCache = options.noCache
        // Hoist's build on the client's backend: its placement puts the image where the backend keeps images.
        _ = try await self.build(buildOptions)
    }

    /// `path` inside `directory`; a Dockerfile path that climbs out is refused.
    private static func inside(_ directory: URL, _ path: String) throws -> URL {
        guard !path.split(separator: "/").contains("..") else {
            throw ContainerError(.imageOptions, .invalidArgument, "the Dockerfile path \(path) leaves the build context")
        }
        return directory.appendingPathComponent(path)
    }

    /// Extracts a context tar into a new directory `directory` and returns it.
    private static func extract(_ archive: some ByteSource, into directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            _ = try LayerApplier(root: directory.path, options: LayerApplier.Options(preserveOwnership: false, createDevices: false))
                .apply(archive)
        } catch {
            throw ContainerError(.imageOptions, .invalidArgument, "the build context is not a readable tar archive", underlying: error)
        }
        return directory
    }
}
