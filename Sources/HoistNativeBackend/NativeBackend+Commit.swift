import Foundation
public import HoistBackend
import HoistDockerfile
import HoistArchive
import HoistBuild
import HoistOCI
public import HoistStore

extension NativeBackend {
    /// Makes an image of container `name`'s files as they are now, as `docker commit` does: its
    /// image's layers plus one with the container's changes, and its image's config with the
    /// container's command, entrypoint, environment, working directory and user, then `changes`
    /// (Dockerfile instructions such as `CMD ["sh"]`, as `--change` takes them). Named
    /// `reference` when given (dangling otherwise).
    public func commit(_ name: String, as reference: String?, changes: [String], message: String?, author: String?) throws -> String {
        try commitImage(name, as: reference, changes: changes, message: message, author: author).id.description
    }

    /// ``commit(_:as:changes:message:author:)``, returning the new image's summary.
    func commitImage(_ name: String, as reference: String? = nil, changes: [String] = [], message: String? = nil,
                     author: String? = nil) throws -> ImageSummary {
        let container = try findContainer(name)
        let newName = try reference.map(StoreImages.parseReference)
        let base = try LocalImage(target: container.record.imageTarget, name: nil, store: store)
        let settings = container.configuration.settings
        var config = base.config.config ?? ContainerConfig()
        config.entrypoint = container.configuration.entrypoint.isEmpty ? nil : container.configuration.entrypoint
        config.cmd = container.configuration.command.isEmpty ? nil : container.configuration.command
        config.env = settings.environment
        config.workingDir = settings.workingDirectory == "/" && config.workingDir == nil ? nil : settings.workingDirectory
        config.user = settings.user
        try ConfigChange.apply(changes, to: &config)

        let snapshotter = try store.snapshotter()
        return try store.withWriteLease {
            let writer = try store.content.writer(expecting: nil, size: nil)
            var sink = writer
            do {
                _ = try snapshotter.diff(container.record.snapshotKey, to: &sink)
            } catch {
                writer.abort()
                throw ClientError(.internal, "cannot read the changes of container \(container.record.name)", underlying: error)
            }
            let (layerDigest, layerSize) = try writer.commit()
            let now = Date()
            let created = ImageExporter.timestamp(now)
            var imageConfig = base.config
            imageConfig.created = created
            imageConfig.author = author ?? imageConfig.author
            imageConfig.config = config
            imageConfig.rootfs.diffIDs.append(layerDigest)
            imageConfig.history = (imageConfig.history ?? []) + [
                HistoryEntry(created: created, createdBy: settings.arguments.joined(separator: " "), author: author, comment: message)
            ]
            let image = try store.writeImage(
                config: imageConfig, layers: base.manifest.layers + [Descriptor(mediaType: .ociLayer, digest: layerDigest, size: layerSize)])
            try store.name(image.target, as: newName.map { [$0.description] } ?? [], created: now)
            return ImageSummary(
                reference: newName, id: try image.id, digest: try image.target.digest, created: now, size: image.manifest.totalSize)
        }
    }
}
