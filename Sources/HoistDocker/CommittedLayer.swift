import Foundation
import HoistArchive
import HoistBackend
import HoistBuild
import HoistDockerEngine
import HoistOCI
import HoistStore

/// The layer a docker worker step committed, taken from the daemon into Hoist's store: the top
/// layer of `docker save` of the step's image, as the daemon diffed the container (whiteouts
/// included), so a build's results stay content-addressed layers whatever ran them.
struct CommittedLayer {
    let engine: EngineClient
    let store: Store

    /// Imports the top layer of daemon image `id`. `stubs` are paths (relative to `/`) that
    /// did not exist before the step and that the runtime made only to mount over: those the
    /// command left empty are left out, as the native worker leaves them out. With
    /// `sourceDateEpoch`, later modification times are clamped to it. `isDaemonsLayer` says
    /// whether the layer is the daemon's as it is, or was changed so.
    func importTopLayer(of id: String, stubs: Set<String>, sourceDateEpoch: Int64?) async throws
        -> (layer: LayerRef, isDaemonsLayer: Bool) {
        let scratch = store.root.temporary.appendingPathComponent("daemon-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let archive = scratch.appendingPathComponent("image.tar").path
        try await engine.saveImage(id, to: URL(fileURLWithPath: archive))
        let layer = scratch.appendingPathComponent("layer.tar").path
        try extractTopLayer(of: archive, image: id, to: layer)

        let dropped = stubs.isEmpty ? [] : try Self.emptyStubs(stubs, in: layer)
        let isDaemonsLayer = dropped.isEmpty && sourceDateEpoch == nil
        let writer = try store.content.writer(expecting: nil, size: nil)
        do {
            var sink = writer
            var source = try FileByteSource(path: layer)
            if isDaemonsLayer {
                _ = try source.copy(to: &sink)
            } else {
                try Self.rewrite(&source, to: &sink, dropping: dropped, sourceDateEpoch: sourceDateEpoch)
            }
        } catch {
            writer.abort()
            throw error
        }
        let (digest, size) = try writer.commit()
        let created = sourceDateEpoch.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date()
        let layerRef = LayerRef(
            diffID: digest, blob: Descriptor(mediaType: .ociLayer, digest: digest, size: size),
            created: ImageExporter.timestamp(created))
        return (layerRef, isDaemonsLayer)
    }

    /// Copies the last layer `manifest.json` of the Docker archive at `archive` lists to `destination`.
    private func extractTopLayer(of archive: String, image id: String, to destination: String) throws {
        var manifests: [DockerArchiveManifest] = []
        var reader = TarReader(try FileByteSource(path: archive))
        while let header = try reader.next() {
            guard Self.clean(header.name) == "manifest.json" else { continue }
            manifests = try JSONDecoder().decode([DockerArchiveManifest].self, from: Data(try reader.readContents()))
            break
        }
        guard var top = manifests.first?.layers.last.map(Self.clean) else {
            throw EngineError(.dataLoss, "the daemon saved image \(id) without a layer")
        }
        // A layer the image holds twice is saved once, the later one a link to it: follow it.
        for _ in 0..<8 {
            reader = TarReader(try FileByteSource(path: archive))
            var link: String?
            while let header = try reader.next() {
                guard Self.clean(header.name) == top else { continue }
                if header.type == .symbolicLink {
                    link = DockerArchiveManifest.resolve(header.linkName, besides: top)
                    break
                }
                let sink = try FileByteSink(path: destination)
                var output = sink
                _ = try reader.copy(to: &output)
                try sink.close()
                return
            }
            guard let link else { break }
            top = link
        }
        throw EngineError(.dataLoss, "the daemon's save of image \(id) lacks its layer \(top)")
    }

    /// The stubs the layer at `path` holds as an empty directory or file with nothing of the
    /// layer below them, deepest first (a parent the runtime made for a stub goes too).
    static func emptyStubs(_ stubs: Set<String>, in path: String) throws -> Set<String> {
        var entries: [String: TarHeader] = [:]
        var reader = TarReader(try FileByteSource(path: path))
        while let header = try reader.next() { entries[clean(header.name)] = header }
        var dropped: Set<String> = []
        for stub in stubs.sorted(by: { $0.count > $1.count }) {
            guard let header = entries[stub] else { continue }
            let isEmpty = switch header.type {
            case .directory: !entries.keys.contains { $0.hasPrefix(stub + "/") }
            case .regular: header.size == 0
            default: false
            }
            guard isEmpty else { continue }
            dropped.insert(stub)
            entries[stub] = nil
        }
        return dropped
    }

    /// Writes the layer tar `source` to `sink` without the entries `dropping` names, its times
    /// clamped to `sourceDateEpoch`.
    static func rewrite(_ source: inout some ByteSource, to sink: inout some ByteSink, dropping: Set<String>,
                        sourceDateEpoch: Int64?) throws {
        var reader = TarReader(source)
        var writer = TarWriter(sink)
        while var header = try reader.next() {
            if dropping.contains(clean(header.name)) { continue }
            if let epoch = sourceDateEpoch, header.modificationTime > TarTimestamp(seconds: epoch) {
                header.modificationTime = TarTimestamp(seconds: epoch)
            }
            try writer.writeEntry(header, contents: &reader)
        }
        try writer.finish()
    }

    /// A tar entry's name as a path relative to `/`, without `./` or a trailing `/`.
    static func clean(_ name: String) -> String {
        var name = Substring(name)
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        while name.hasPrefix("/") { name = name.dropFirst() }
        while name.hasSuffix("/") { name = name.dropLast() }
        return String(name)
    }
}
