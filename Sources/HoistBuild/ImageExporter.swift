public import Foundation
public import HoistOCI
public import HoistStore

/// An image the exporter wrote: its manifest's descriptor and the documents themselves.
public struct ExportedImage: Sendable {
    /// The manifest's descriptor: what a name points at.
    public let target: Descriptor
    public let manifest: ImageManifest
    public let config: ImageConfig
}

/// Writes a build's result to the store as an image: its config (the frontend's, with the
/// layers' diff IDs and the history filled in) and its manifest.
public struct ImageExporter: Sendable {
    public let store: Store

    public init(store: Store) {
        self.store = store
    }

    /// Exports `layers` with `config`. `baseHistory` is the base image's history; `steps` are the
    /// build's own, each marked as making a layer when its vertex's result has more layers than
    /// its first input's.
    ///
    /// Times come from the layers, not the clock: a step's history entry is dated when its
    /// newest layer so far was made (`fallback` before any was), and the image when its newest
    /// layer was. A rebuild served from the cache therefore yields the very same image.
    public func export(layers: [LayerRef], config: ImageConfig, baseHistory: [HistoryEntry], steps: [BuildStep],
                       results: [Digest: BuildResult], fallback: Date, sourceDateEpoch: Int64? = nil) throws -> ExportedImage {
        var config = config
        let epoch = sourceDateEpoch.map { Self.timestamp(Date(timeIntervalSince1970: TimeInterval($0))) }
        var latest = epoch ?? config.created ?? Self.timestamp(fallback)
        config.rootfs = RootFS(diffIDs: layers.map(\.diffID))
        var history = baseHistory
        for step in steps {
            var madeLayer = false
            if let vertex = step.vertex, let result = results[vertex.digest]?.layers {
                let before = vertex.inputs.first.flatMap { results[$0.digest]?.layers }?.count ?? 0
                madeLayer = result.count > before
                if madeLayer, epoch == nil, let created = result.last?.created { latest = created }
            }
            history.append(HistoryEntry(
                created: latest, createdBy: step.createdBy, comment: step.comment, emptyLayer: madeLayer ? nil : true))
        }
        config.history = history
        config.created = latest
        let image = try store.writeImage(config: config, layers: layers.map(\.blob))
        return ExportedImage(target: image.target, manifest: image.manifest, config: image.config)
    }

    /// RFC 3339 in UTC with nanoseconds, as Docker writes `created`.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
