package import Foundation
package import HoistOCI
package import HoistRegistry
package import HoistStore

/// The images of Hoist's store, found by name or ID, loaded from and saved to archives: the
/// native backend's images, and the layer cache every backend's builds share (the docker
/// worker brings the daemon's layers here; containerd loads images from here).
package struct StoreImages: Sendable {
    package let store: Store

    package init(store: Store) {
        self.store = store
    }

    /// The image that `name` designates — a reference, an image ID or a unique prefix of one —
    /// for `platform` (nil: this host's, a lone manifest whatever its platform), or `notFound`
    /// / `invalidArgument`.
    package func resolve(_ name: String, platform: Platform? = nil) throws -> LocalImage {
        if let idPrefix = Self.imageIDPrefix(name) {
            let matches = try store.images().compactMap { try? LocalImage(record: $0, store: store, platform: platform) }
                .filter { $0.configDigest.encoded.hasPrefix(idPrefix) }
            let distinct = Set(matches.map(\.configDigest))
            if distinct.count == 1, let match = matches.first { return match }
            if distinct.count > 1 {
                throw ClientError(.invalidArgument, "image ID prefix \(name) is ambiguous: it matches \(distinct.count) images")
            }
            // A hex string can also be a repository name; fall through to try it as one.
        }
        let reference = try Self.parseReference(name)
        if let record = try store.image(named: reference.description) { return try LocalImage(record: record, store: store, platform: platform) }
        // `NAME@DIGEST` (a reference pinned by a frontend) is the image of that repository whose
        // manifest has the digest, however it is tagged, as Docker finds it by its repo digest.
        if let digest = reference.digest,
           let record = try store.images(target: digest).first(where: { record in
               record.name.flatMap { Reference($0)?.name } == reference.name
           }) {
            return try LocalImage(record: record, store: store, platform: platform)
        }
        throw ClientError(.notFound, "no such image: \(reference.familiarString)")
    }

    /// Pulls `name` from its registry into the store and names it there, choosing from a
    /// multi-platform index the manifest for `platform` (default: this host's), or with
    /// `allPlatforms` keeping the whole index.
    package func pull(_ name: String, platform: Platform?, allPlatforms: Bool = false, configuration: RegistryConfiguration,
                      progress: @escaping TransferProgressHandler) async throws -> PullResult {
        let reference = try Self.parseReference(name)
        let matcher = platform.map { PlatformMatcher(compatibleWith: $0) } ?? .host
        // What the pull writes or finds present is held from the first blob to the name.
        return try await store.withLease("pull") { _ in
            try await RegistryClient.withClient(configuration: configuration) { registry in
                try await registry.pull(reference, platform: matcher, allPlatforms: allPlatforms, into: store, progress: progress)
            }
        }
    }

    /// The image `name` as `policy` says: `never` only from the store, `missing` pulled when the
    /// store lacks it, `always` pulled every time — the one place the pull policy is read.
    package func image(_ name: String, pullPolicy policy: PullPolicy, platform: Platform?, configuration: RegistryConfiguration,
                       progress: @escaping TransferProgressHandler = { _ in }) async throws -> LocalImage {
        switch policy {
        case .never: return try resolve(name, platform: platform)
        case .missing: if let local = try? resolve(name, platform: platform) { return local }
        case .always: break
        }
        let pulled = try await pull(name, platform: platform, configuration: configuration, progress: progress)
        return try resolve(pulled.reference.description, platform: platform)
    }

    /// Pushes the image `name` to `destination` (default: `name`). Blobs the registry has are
    /// skipped; blobs in another repository of the same registry under which this image is
    /// also named are mounted from there.
    package func push(_ name: String, to destination: String?, configuration: RegistryConfiguration,
                      progress: @escaping TransferProgressHandler) async throws -> PushResult {
        let image = try resolve(name)
        let reference = try Self.parseReference(destination ?? image.name ?? name)
        let mountSources = try store.images(target: try image.target.digest).compactMap { $0.name.flatMap { Reference($0) } }
            .filter { $0.domain == reference.domain && $0.path != reference.path }
            .map(\.path)
        return try await RegistryClient.withClient(configuration: configuration) { registry in
            try await registry.push(
                image.target, from: store, to: reference, mountSources: Array(Set(mountSources)).sorted(), progress: progress)
        }
    }

    /// Loads a Docker archive (`docker save`) or an OCI-layout tar, plain or compressed, and
    /// names its images as the archive does. Returns what was loaded.
    package func load(archive: URL, progress: @escaping TransferProgressHandler = { _ in }) throws -> [ImageSummary] {
        try store.withWriteLease {
            var loaded: [ImageSummary] = []
            let images = try store.readArchive(at: archive.path, progress: progress)
            // Every name is checked before any is given: a bad one fails the load as a whole.
            let named = try images.map { image in (image, try image.names.compactMap(Self.archiveName)) }
            for (image, references) in named {
                let created = image.created ?? Date()
                try store.name(image.target, as: references.map(\.description), created: created)
                let local = try LocalImage(target: image.target, name: nil, store: store)
                let digest = try image.target.digest
                for reference in references.isEmpty ? [nil] : references.map(Optional.some) {
                    loaded.append(ImageSummary(
                        reference: reference, id: local.configDigest, digest: digest, created: created, size: local.size))
                }
            }
            return loaded
        }
    }

    /// Writes the images `names` designates to `destination`, in Docker-archive form (what
    /// `docker load` reads) or as an OCI layout in a tar.
    package func save(_ names: [String], format: ImageArchiveFormat, to destination: URL,
                      progress: @escaping TransferProgressHandler = { _ in }) throws {
        guard !names.isEmpty else { throw ClientError(.invalidArgument, "name at least one image to save") }
        var images: [ArchivedImage] = []
        for name in names {
            let image = try resolve(name)
            // An image asked for by name is saved under that name; one asked for by ID under all its names.
            let archiveNames: [Reference]
            if let reference = try? Reference(parsing: name), reference.description == image.name {
                archiveNames = [reference]
            } else {
                archiveNames = try store.images(target: try image.target.digest).compactMap(\.name).map { try Reference(parsing: $0) }
            }
            images.append(ArchivedImage(
                names: archiveNames.map { format == .docker ? $0.familiarString : $0.description },
                target: format == .docker ? image.manifestDescriptor : image.target,
                created: image.config.createdDate))
        }
        try store.writeArchive(images, format: format, to: destination.path, progress: progress)
    }

    /// The hex part of `text` if it looks like an image ID or a prefix of one.
    package static func imageIDPrefix(_ text: String) -> String? {
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text
        guard hex.count >= 4, hex.count <= 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        return hex
    }

    /// `text` as a reference, or `invalidArgument` with the parser's message.
    package static func parseReference(_ text: String) throws -> Reference {
        do {
            return try Reference(parsing: text)
        } catch {
            throw ClientError(.invalidArgument, error.message)
        }
    }

    /// A name from an archive as a reference: full references and familiar ones
    /// (`busybox:latest`) are names; a bare OCI tag (`latest`, `v1`) says nothing of the
    /// repository and is no name. Anything else is refused (`invalidArgument`), as `docker load`
    /// refuses it, rather than loaded unnamed.
    package static func archiveName(_ text: String) throws -> Reference? {
        guard text.contains(":") || text.contains("/") else { return nil }
        do {
            return try Reference(parsing: text)
        } catch {
            throw ClientError(.invalidArgument, "the archive names an image \"\(text)\", which is not a valid reference", underlying: error)
        }
    }
}
