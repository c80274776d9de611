import HoistBackend
import Foundation
import HoistContainerd
import HoistOCI
import HoistStore

/// Images of a containerd namespace as Hoist uses them: copied in from the native store with
/// the labels containerd's garbage collector follows, looked up by name or ID, and unpacked
/// into snapshots named by chain ID, as containerd's own clients unpack them.
struct ContainerdImages {
    let daemon: ContainerdClient

    /// An image record opened up: the manifest for this host and its config.
    struct Resolved {
        let record: ContainerdImage
        let manifest: ImageManifest
        let config: ImageConfig
        let configDigest: Digest

        /// The chain ID of the whole stack of layers: the name of the unpacked snapshot.
        var topChainID: ChainID? { ChainID.chain(config.rootfs.diffIDs).last }
    }

    // MARK: - Import from the native store

    /// Copies the image `target` (a manifest or index of `store`) into containerd as `name`,
    /// and unpacks it for this host. Blobs containerd has are not sent again.
    func load(_ target: Descriptor, as name: String, from store: Store) async throws {
        try await daemon.withLease { lease in
            try await copy(target, from: store, lease: lease)
            try await daemon.putImage(ContainerdImage(name: name, target: target), lease: lease)
            let resolved = try await resolve(name)
            _ = try await unpack(resolved, lease: lease)
        }
    }

    /// Writes `descriptor`'s blob and those it names (children first, so a parent's garbage
    /// collection labels never point at missing content). An index's entries for other
    /// platforms that the store lacks are left out, as containerd's own pulls leave them.
    private func copy(_ descriptor: Descriptor, from store: Store, lease: String) async throws {
        let digest = try descriptor.digest
        var labels: [String: String] = [:]
        if descriptor.mediaType.isIndex {
            let index = try JSONDecoder().decode(ImageIndex.self, from: try store.content.data(digest))
            for (number, child) in index.manifests.enumerated() where try store.content.contains(try child.digest) {
                try await copy(child, from: store, lease: lease)
                labels["containerd.io/gc.ref.content.m.\(number)"] = child.digestString
            }
        } else if descriptor.mediaType.isManifest {
            let manifest = try JSONDecoder().decode(ImageManifest.self, from: try store.content.data(digest))
            let config = try JSONDecoder().decode(ImageConfig.self, from: try store.content.data(try manifest.config.digest))
            try await copyBlob(manifest.config, from: store, labels: [:], lease: lease)
            labels["containerd.io/gc.ref.content.config"] = manifest.config.digestString
            for (number, layer) in manifest.layers.enumerated() {
                var layerLabels: [String: String] = [:]
                if number < config.rootfs.diffIDs.count { layerLabels["containerd.io/uncompressed"] = config.rootfs.diffIDs[number].description }
                try await copyBlob(layer, from: store, labels: layerLabels, lease: lease)
                labels["containerd.io/gc.ref.content.l.\(number)"] = layer.digestString
            }
        }
        try await copyBlob(descriptor, from: store, labels: labels, lease: lease)
    }

    private func copyBlob(_ descriptor: Descriptor, from store: Store, labels: [String: String], lease: String) async throws {
        let digest = try descriptor.digest
        guard let path = store.content.path(digest) else {
            throw ClientError(.notFound, "blob \(digest) is not in the store")
        }
        try await daemon.writeContent(
            file: URL(fileURLWithPath: path), digest: digest, size: descriptor.size, labels: labels, lease: lease)
    }

    // MARK: - Lookup

    /// The containerd name for `name`: a full reference, as containerd keeps them.
    static func recordName(_ name: String) throws -> String {
        do {
            return try Reference(parsing: name).description
        } catch {
            throw ClientError(.invalidArgument, error.message)
        }
    }

    /// The image `name` designates — a reference, or an image ID or unique prefix of one —
    /// opened for this host; `notFound` when there is none or it has no manifest for this
    /// host in the content store.
    func resolve(_ name: String) async throws -> Resolved {
        if let record = try await daemon.image(try Self.recordName(name)) { return try await open(record) }
        if let prefix = StoreImages.imageIDPrefix(name) {
            var matches: [Digest: Resolved] = [:]
            for record in try await daemon.images() {
                guard let resolved = try? await open(record), resolved.configDigest.encoded.hasPrefix(prefix) else { continue }
                matches[resolved.configDigest] = matches[resolved.configDigest] ?? resolved
            }
            if matches.count == 1, let match = matches.values.first { return match }
            if matches.count > 1 {
                throw ClientError(.invalidArgument, "image ID prefix \(name) is ambiguous: it matches \(matches.count) images")
            }
        }
        throw ClientError(.notFound, "no such image in containerd namespace \(daemon.address.namespace): \(name)")
    }

    /// `record`'s manifest for this host and its config, read from the content store.
    func open(_ record: ContainerdImage) async throws -> Resolved {
        var descriptor = record.target
        let shortName = (try? Reference(parsing: record.name).familiarString) ?? record.name
        if descriptor.mediaType.isIndex {
            let index = try JSONDecoder().decode(ImageIndex.self, from: try await content(descriptor, of: shortName))
            guard let chosen = index.manifest(for: .host) else {
                throw ClientError(.notFound, "image \(shortName) has no manifest for \(Platform.host)")
            }
            descriptor = chosen
        }
        let manifest = try JSONDecoder().decode(ImageManifest.self, from: try await content(descriptor, of: shortName))
        let configDigest = try manifest.config.digest
        let config = try JSONDecoder().decode(ImageConfig.self, from: try await content(manifest.config, of: shortName))
        return Resolved(record: record, manifest: manifest, config: config, configDigest: configDigest)
    }

    private func content(_ descriptor: Descriptor, of image: String) async throws -> Data {
        do {
            return try await daemon.readContent(try descriptor.digest)
        } catch let error as ContainerdError where error.code == .notFound {
            throw ClientError(
                .notFound, "image \(image): \(descriptor.digestString) (\(descriptor.mediaType)) is not in containerd's content store")
        }
    }

    // MARK: - Unpacking

    /// Makes sure `image`'s layers are unpacked into committed snapshots and returns the top
    /// one's name. Layers already unpacked (by Hoist, `ctr` or any client) are reused.
    /// `failedPrecondition` when a layer to unpack is not in the content store.
    func unpack(_ image: Resolved, lease: String) async throws -> String {
        let diffIDs = image.config.rootfs.diffIDs
        guard diffIDs.count == image.manifest.layers.count else {
            throw ClientError(
                .dataLoss, "image \(image.record.name) lists \(image.manifest.layers.count) layers but \(diffIDs.count) diff IDs")
        }
        let chain = ChainID.chain(diffIDs)
        guard let top = chain.last else {
            throw ClientError(.unsupported, "image \(image.record.name) has no layers: there is no file system to run")
        }
        let snapshots = "snapshots/\(ContainerdClient.defaultSnapshotter)"
        if try await daemon.snapshot(top.description) != nil {
            // Unpacked already, perhaps of an image just removed: held until the caller's record names it.
            try await daemon.addToLease(lease, resource: top.description, type: snapshots)
        } else {
            for (number, layer) in image.manifest.layers.enumerated() where try await daemon.snapshot(chain[number].description) == nil {
                guard try await daemon.contentInfo(try layer.digest) != nil else {
                    throw ClientError(
                        .failedPrecondition,
                        "image \(image.record.name) has no unpacked snapshot for \(Platform.host) in containerd's "
                            + "\(ContainerdClient.defaultSnapshotter) snapshotter, and its layer \(layer.digestString) is not in the content store to unpack")
                }
                let key = "hoist-extract-\(UUID().uuidString)"
                let parent = number == 0 ? nil : chain[number - 1].description
                let mounts = try await daemon.prepareSnapshot(key, parent: parent, lease: lease)
                do {
                    let applied = try await daemon.applyLayer(layer, to: mounts, lease: lease)
                    guard applied.digestString == diffIDs[number].description else {
                        throw ClientError(
                            .dataLoss, "layer \(layer.digestString) unpacks to \(applied.digestString), not its diff ID \(diffIDs[number])")
                    }
                    try await daemon.commitSnapshot(key, as: chain[number].description, lease: lease)
                } catch let error as ContainerdError where error.code == .alreadyExists {
                    // Another client unpacked the same layer meanwhile.
                    try? await daemon.removeSnapshot(key)
                } catch {
                    try? await daemon.removeSnapshot(key)
                    throw error
                }
            }
        }
        // The config keeps the unpacked snapshot from garbage collection while the image is there.
        try await daemon.updateContentLabels(
            image.configDigest, ["containerd.io/gc.ref.snapshot.\(ContainerdClient.defaultSnapshotter)": top.description])
        return top.description
    }
}
