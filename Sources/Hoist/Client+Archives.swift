public import Foundation
public import HoistOCI
public import HoistStore

extension Client {
    /// Loads a Docker archive (`docker save`) or an OCI-layout tar, plain or compressed, and
    /// names its images as the archive does. Returns what was loaded.
    public func load(archive: URL) throws -> [ImageSummary] {
        try store.withWriteLease {
            var loaded: [ImageSummary] = []
            let images = try store.readArchive(at: archive.path)
            // Every name is checked before any is given: a bad one fails the load as a whole.
            let named = try images.map { image in (image, try image.names.compactMap(Self.archiveName)) }
            for (image, references) in named {
                let created = image.created ?? Date()
                if references.isEmpty { try store.addUnnamed(target: image.target, created: created) }
                for reference in references {
                    try store.setName(reference.description, target: image.target, created: created)
                }
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

    /// Writes the store's images `names` designates to `destination`, in Docker-archive form
    /// (what `docker load` reads) or as an OCI layout in a tar: ``save(_:format:to:)`` natively.
    func saveFromStore(_ names: [String], format: ImageArchiveFormat = .docker, to destination: URL) throws {
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
        try store.writeArchive(images, format: format, to: destination.path)
    }

    /// A name from an archive as a reference: full references and familiar ones
    /// (`busybox:latest`) are names; a bare OCI tag (`latest`, `v1`) says nothing of the
    /// repository and is no name. Anything else is refused (`invalidArgument`), as `docker load`
    /// refuses it, rather than loaded unnamed.
    static func archiveName(_ text: String) throws -> Reference? {
        guard text.contains(":") || text.contains("/") else { return nil }
        do {
            return try Reference(parsing: text)
        } catch {
            throw ClientError(.invalidArgument, "the archive names an image \"\(text)\", which is not a valid reference", underlying: error)
        }
    }
}
