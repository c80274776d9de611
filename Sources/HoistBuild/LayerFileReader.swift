public import Foundation
import HoistArchive
public import HoistOCI
public import HoistStore

/// Reads files of a layer chain (an image, a build result) straight from the layer blobs in
/// the store, with no snapshot and no mount — so no root, and on any backend whose layers
/// come back to the store. The chain's tar headers are read once into an index (whiteouts
/// applied, OCI's way); a path is resolved through it, symbolic links followed inside the
/// chain, and a regular file's bytes read from the layer that holds it.
public final class LayerFileReader: Sendable {
    /// What a path is.
    public enum Entry: Sendable, Hashable {
        case regular(Data)
        case directory
        case other
    }

    private struct Indexed: Sendable {
        var type: TarEntryType
        var linkName: String
        /// The layer the entry comes from, and its name there.
        var layer: Int
        var name: String
    }

    private let store: Store
    private let layers: [LayerRef]
    private let index: [String: Indexed]
    /// Directories only implied by deeper entries.
    private let impliedDirectories: Set<String>

    /// Indexes `layers` (bottom first).
    ///
    /// - Throws: ``BuildError`` `notFound` for a layer missing from the store; the archive's
    ///   error for a broken one.
    public init(store: Store, layers: [LayerRef]) throws {
        self.store = store
        self.layers = layers
        var index: [String: Indexed] = [:]
        for (position, layer) in layers.enumerated() {
            var reader = TarReader(try DecompressingSource(try Self.open(layer, in: store)))
            var hidden: [String] = []
            var added: [String: Indexed] = [:]
            while let header = try reader.next() {
                let name = Self.clean(header.name)
                let parent = name.split(separator: "/").dropLast().joined(separator: "/")
                let base = name.split(separator: "/").last.map(String.init) ?? ""
                if base == ".wh..wh..opq" {
                    hidden.append(parent)
                } else if base.hasPrefix(".wh.") {
                    let target = (parent.isEmpty ? "" : parent + "/") + base.dropFirst(4)
                    index[target] = nil
                    hidden.append(target)
                } else {
                    added[name] = Indexed(type: header.type, linkName: header.linkName, layer: position, name: header.name)
                }
            }
            // What this layer hides is of the layers below it; its own entries stay.
            if !hidden.isEmpty {
                index = index.filter { path, _ in !hidden.contains { path.hasPrefix($0.isEmpty ? "" : $0 + "/") } }
            }
            index.merge(added) { $1 }
        }
        var implied: Set<String> = [""]
        for path in index.keys {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                guard implied.insert(parts.joined(separator: "/")).inserted else { break }
                parts = parts.dropLast()
            }
        }
        self.index = index
        impliedDirectories = implied
    }

    /// What `path` is (links followed), with a regular file's contents; nil when nothing is
    /// there or a link leads out of the chain's files.
    public func entry(_ path: String) throws -> Entry? {
        guard let resolved = resolve(path) else { return nil }
        guard let found = index[resolved] else { return impliedDirectories.contains(resolved) ? .directory : nil }
        switch found.type {
        case .directory: return .directory
        case .regular: return .regular(try contents(of: found))
        case .hardLink:
            guard let target = index[Self.clean(found.linkName)], target.type == .regular else { return .other }
            return .regular(try contents(of: target))
        default: return .other
        }
    }

    /// Whether the chain holds an entry at `path` (a path free of links, relative to `/`),
    /// not following a final link.
    public func holds(_ path: String) -> Bool {
        node(atResolved: Self.clean(path)) != nil
    }

    /// What the chain holds at `path` (components free of links, as an index key: no leading
    /// `/`), not following a final link: its type and link target; a directory only implied by
    /// deeper entries is a directory. Nil when nothing is there.
    func node(atResolved path: String) -> (type: TarEntryType, linkName: String)? {
        if let found = index[path] { return (found.type, found.linkName) }
        return impliedDirectories.contains(path) ? (.directory, "") : nil
    }

    /// The bytes of a regular file `path`, or nil when it is not one.
    public func readFile(_ path: String) throws -> Data? {
        guard case .regular(let data) = try entry(path) else { return nil }
        return data
    }

    /// `path` with every symbolic link on the way followed, as an index key; nil past 40
    /// links, as the kernel gives up.
    private func resolve(_ path: String) -> String? {
        var resolved: [String] = []
        var pending = Array(path.split(separator: "/").map(String.init).reversed())
        var links = 0
        while let part = pending.popLast() {
            switch part {
            case ".": continue
            case "..": _ = resolved.popLast()
            default:
                let candidate = (resolved + [part]).joined(separator: "/")
                if let entry = index[candidate], entry.type == .symbolicLink {
                    links += 1
                    guard links <= 40 else { return nil }
                    if entry.linkName.hasPrefix("/") { resolved = [] }
                    pending += entry.linkName.split(separator: "/").map(String.init).reversed()
                } else {
                    resolved.append(part)
                }
            }
        }
        return resolved.joined(separator: "/")
    }

    private func contents(of entry: Indexed) throws -> Data {
        var reader = TarReader(try DecompressingSource(try Self.open(layers[entry.layer], in: store)))
        while let header = try reader.next() {
            if header.name == entry.name { return Data(try reader.readContents()) }
        }
        throw BuildError(.dataLoss, "\(entry.name) vanished from layer \(layers[entry.layer].blob.digestString)")
    }

    private static func open(_ layer: LayerRef, in store: Store) throws -> FileByteSource {
        let digest = try layer.blob.digest
        guard let path = store.content.path(digest) else { throw BuildError(.notFound, "layer \(digest) is not in the store") }
        return try FileByteSource(path: path)
    }

    /// A tar name as an index key: no leading `./` or `/`, no trailing `/`.
    private static func clean(_ name: String) -> String {
        name.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
