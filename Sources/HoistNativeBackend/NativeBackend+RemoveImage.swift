import Foundation
import HoistBackend
import HoistOCI
import HoistStore

extension NativeBackend {
    /// Removes the store's image `name` designates, as `docker rmi` does, and returns what it
    /// did: ``removeImage(_:force:)`` on the native backend.
    ///
    /// - A name (`busybox`, `app:1`) is taken off its image; when it was the image's last name
    ///   the image is deleted too.
    /// - An image ID or a unique prefix of one deletes the image with all its names; when it has
    ///   several names this needs `force`, so that an ID copied from one line of `hoist images`
    ///   does not silently take the other names with it.
    /// - An image a container uses is not deleted without `force`; with it, its names go but the
    ///   image stays, nameless, for the container.
    ///
    /// The blobs no remaining image needs are deleted afterwards.
    ///
    /// - Throws: ``ClientError`` `notFound` for no such image, `invalidArgument` for a bad name
    ///   or an ambiguous ID prefix, `failedPrecondition` for a removal that needs `force`.
    func removeStoreImage(_ name: String, force: Bool = false) throws -> [ImageRemoval] {
        let image = try resolve(name)
        let digestsInUse = try imageDigestsInUse()
        let removals: [ImageRemoval]
        if let prefix = StoreImages.imageIDPrefix(name), image.configDigest.encoded.hasPrefix(prefix) {
            removals = try removeImage(id: image.configDigest, force: force, digestsInUse: digestsInUse)
        } else {
            removals = try untag(try StoreImages.parseReference(name), of: image, force: force, digestsInUse: digestsInUse)
        }
        if removals.contains(where: { if case .deleted = $0 { true } else { false } }) {
            try store.collectGarbage()
        }
        return removals
    }

    /// Takes `reference` off `image`, deleting the image with its last name unless a container uses it.
    private func untag(_ reference: Reference, of image: LocalImage, force: Bool, digestsInUse: Set<Digest>) throws -> [ImageRemoval] {
        let target = try image.target.digest
        let records = try store.images(target: target)
        guard let record = records.first(where: { $0.name == reference.description }) else {
            throw ClientError(.notFound, "no such image: \(reference.familiarString)")
        }
        guard records.count == 1 else {
            try store.removeName(reference.description)
            return [.untagged(reference)]
        }
        let stored = StoredImage(target: image.target, names: [reference], image: image, created: record.created)
        if stored.isUsed(by: digestsInUse) {
            guard force else {
                throw ClientError(.failedPrecondition, "conflict: unable to remove repository reference \"\(reference.familiarString)\" (must force) - image \(image.configDigest.shortID) is being used by a container")
            }
            // Held by a lease, so that collection cannot take the blobs while the image has no record.
            try store.withLease("untag") { lease in
                try lease.hold([.image(target.description)])
                try store.removeName(reference.description)
                try store.addUnnamed(target: image.target, created: record.created)
            }
            return [.untagged(reference)]
        }
        try store.removeName(reference.description)
        try store.removeImage(target: target)
        return [.untagged(reference), .deleted(image.configDigest)]
    }

    /// Deletes every image whose ID is `id` with all its names.
    private func removeImage(id: Digest, force: Bool, digestsInUse: Set<Digest>) throws -> [ImageRemoval] {
        let images = try storedImages().filter { $0.image.configDigest == id }
        let names = images.flatMap(\.names)
        if !force {
            if names.count > 1 {
                throw ClientError(.failedPrecondition, "conflict: unable to delete \(id.shortID) (must be forced) - image is referenced in multiple repositories")
            }
            if images.contains(where: { $0.isUsed(by: digestsInUse) }) {
                throw ClientError(.failedPrecondition, "conflict: unable to delete \(id.shortID) (must be forced) - image is being used by a container")
            }
        }
        var removals: [ImageRemoval] = []
        var deleted = false
        // Held by a lease, so that collection cannot take the blobs of a kept image between its
        // last name going and its nameless record coming.
        try store.withLease("remove") { lease in
            try lease.hold(try images.map { .image(try $0.target.digest.description) })
            for image in images {
                for name in image.names {
                    try store.removeName(name.description)
                    removals.append(.untagged(name))
                }
                if image.isUsed(by: digestsInUse) {
                    if !image.names.isEmpty { try store.addUnnamed(target: image.target, created: image.created) }
                } else {
                    try store.removeImage(target: try image.target.digest)
                    deleted = true
                }
            }
        }
        if deleted { removals.append(.deleted(id)) }
        return removals
    }
}
