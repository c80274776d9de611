public import Foundation
public import HoistArchive
public import HoistOCI

/// Unpacks an image's layers into a chain of committed snapshots, one per layer, each named
/// after the layer stack's ``ChainID`` (``SnapshotKey/init(chainID:)``). Layers whose snapshot
/// exists already are skipped, so unpacking the same layers again costs a lookup; two
/// processes unpacking the same layer at once both succeed, and one copy is kept.
public struct LayerUnpacker: Sendable {
    /// A layer to unpack: its uncompressed digest and a way to read its (possibly compressed) tar.
    public struct Layer: Sendable {
        public var diffID: Digest
        public var open: @Sendable () throws -> any ByteSource

        public init(diffID: Digest, open: @escaping @Sendable () throws -> any ByteSource) {
            self.diffID = diffID
            self.open = open
        }
    }

    /// What an unpack did.
    public struct Result: Sendable, Hashable {
        /// The committed snapshot of all layers (nil for an image without layers).
        public var key: SnapshotKey?
        /// How many layers were applied (the rest were unpacked before).
        public var appliedLayers: Int
    }

    /// Where the snapshots go.
    public let snapshotter: any Snapshotter

    /// The label on the active snapshots an unpack prepares (its value: the snapshot's future
    /// name), so a snapshotter can tell a layer being unpacked from a step's work.
    public static let unpackLabel = "hoist.unpack"

    public init(snapshotter: any Snapshotter) {
        self.snapshotter = snapshotter
    }

    /// Unpacks `layers` (lowest first); each layer's tar must have its `diffID` (`dataLoss`
    /// otherwise, and nothing of that layer is kept).
    public func unpack(_ layers: [Layer]) throws -> Result {
        let chain = ChainID.chain(layers.map(\.diffID))
        var parent: SnapshotKey?
        var applied = 0
        for (layer, chainID) in zip(layers, chain) {
            let key = SnapshotKey(chainID: chainID)
            if try !snapshotter.exists(key) {
                try apply(layer, as: key, parent: parent)
                applied += 1
            }
            parent = key
        }
        return Result(key: parent, appliedLayers: applied)
    }

    /// Unpacks the layers of the image `manifest` describes, reading them from `content`;
    /// `config` supplies the diffIDs.
    public func unpack(manifest: ImageManifest, config: ImageConfig, from content: LocalContentStore) throws -> Result {
        let diffIDs = config.rootfs.diffIDs
        guard diffIDs.count == manifest.layers.count else {
            throw StoreError(
                .invalidArgument,
                "the image has \(manifest.layers.count) layers but its config lists \(diffIDs.count) diff_ids")
        }
        var layers: [Layer] = []
        for (descriptor, diffID) in zip(manifest.layers, diffIDs) {
            let digest = try descriptor.digest
            guard let path = content.path(digest) else {
                throw StoreError(.notFound, "layer \(digest) is not in the store")
            }
            layers.append(Layer(diffID: diffID) { try FileByteSource(path: path) })
        }
        return try unpack(layers)
    }

    private func apply(_ layer: Layer, as key: SnapshotKey, parent: SnapshotKey?) throws {
        let scratch = try SnapshotKey("unpack/\(UUID().uuidString) \(key)")
        _ = try snapshotter.prepare(key: scratch, parent: parent, labels: [Self.unpackLabel: key.rawValue])
        do {
            let source = try layer.open()
            _ = try snapshotter.apply(source, to: scratch, expectedDiffID: layer.diffID)
            try snapshotter.commit(name: key, key: scratch)
        } catch let error as StoreError where error.code == .alreadyExists {
            // Another unpack committed the same layer first; its copy serves.
            try? snapshotter.remove(scratch)
        } catch {
            try? snapshotter.remove(scratch)
            throw error
        }
    }
}
