#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive

/// A ``CopyDestination`` that writes a tar of the entries a file action makes, for a Docker
/// daemon to extract at `/` of a container of the step's parent image (the Engine API's archive
/// upload, as the classic builder's `COPY` puts files in): owners and modes travel in the
/// headers, so nothing here needs privilege.
///
/// What is already there is read from the index of the parent's layer chain, with what this
/// action wrote over it. The daemon's extraction replaces an entry by one of another kind and
/// keeps an existing directory (giving it the header's owner, mode and time) — the rules the
/// copy applies — so ``clear(_:)`` only updates that view. Entries are named by resolved
/// paths: no link on the way, nothing for the daemon to follow.
final class ArchiveDestination: CopyDestination {
    /// The parent's files; nil for scratch.
    private let base: LayerFileReader?
    private let sink: FileByteSink
    private var writer: TarWriter<FileByteSink>
    /// What this action wrote, by index key, over `base`.
    private var written: [String: Written] = [:]
    /// Paths of `base` taken away, with everything under them.
    private var cleared: Set<String> = []
    /// When entries made here (not copied with their times) are made.
    private let now = TarTimestamp(seconds: Int64(Date().timeIntervalSince1970))

    private enum Written {
        case directory
        case symbolicLink(String)
        case file(CopiedEntry.Kind)
        case other
    }

    /// Writes the tar to the file `archive`; `base` is the parent's chain (nil for scratch).
    init(archive: String, base: LayerFileReader?) throws {
        self.base = base
        sink = try FileByteSink(path: archive, permissions: 0o600)
        writer = TarWriter(sink)
    }

    /// Ends the tar; it is complete once this returns.
    func finish() throws {
        try writer.finish()
        try sink.close()
    }

    func resolveComponents(_ path: String, followFinalSymlink: Bool) throws -> [String] {
        try RootedPath.resolveComponents(path, followFinalSymlink: followFinalSymlink) { components in
            switch node(at: components) {
            case nil: .missing
            case .symbolicLink(let target): .symbolicLink(target: target)
            default: .present
            }
        }
    }

    func node(at path: [String]) -> DestinationNode? {
        let key = path.joined(separator: "/")
        if let mine = written[key] {
            switch mine {
            case .directory: return .directory
            case .symbolicLink(let target): return .symbolicLink(target: target)
            case .file, .other: return .other
            }
        }
        if isCleared(key) { return nil }
        guard let found = key.isEmpty ? (type: .directory, linkName: "") : base?.node(atResolved: key) else { return nil }
        switch found.type {
        case .directory: return .directory
        case .symbolicLink: return .symbolicLink(target: found.linkName)
        default: return .other
        }
    }

    func contents(of path: String) -> Data? {
        guard let key = try? resolveComponents(path, followFinalSymlink: true).joined(separator: "/") else { return nil }
        if let mine = written[key] {
            switch mine {
            case .file(.data(let data)): return data
            case .file(.file(let source)): return FileManager.default.contents(atPath: source)
            default: return nil
            }
        }
        if isCleared(key) { return nil }
        return try? base?.readFile(key)
    }

    func clear(_ path: [String]) throws {
        let key = path.joined(separator: "/")
        written = written.filter { $0.key != key && !$0.key.hasPrefix(key + "/") }
        cleared.insert(key)
    }

    func create(_ entry: CopiedEntry, at path: [String]) throws {
        var header = TarHeader(
            name: path.joined(separator: "/"), mode: entry.permissions & 0o7777, uid: Int(entry.uid), gid: Int(entry.gid),
            modificationTime: entry.times.map { TarTimestamp(seconds: Int64($0.modification.tv_sec), nanoseconds: Int32($0.modification.tv_nsec)) } ?? now,
            xattrs: entry.extendedAttributes)
        let key = header.name
        switch entry.kind {
        case .directory:
            header.type = .directory
            try writer.writeEntry(header)
            written[key] = .directory
        case .file(let source):
            var input = try FileByteSource(path: source)
            var info = stat()
            guard stat(source, &info) == 0 else { throw BuildError(.notFound, "cannot read \(source): \(String(cString: strerror(errno)))") }
            header.size = Int64(info.st_size)
            try writer.writeEntry(header, contents: &input)
            written[key] = .file(entry.kind)
        case .data(let data):
            header.size = Int64(data.count)
            try writer.writeEntry(header, bytes: Array(data))
            written[key] = .file(entry.kind)
        case .symbolicLink(let target):
            header.type = .symbolicLink
            header.linkName = target
            try writer.writeEntry(header)
            written[key] = .symbolicLink(target)
        case .node(let type, let device):
            switch type {
            case S_IFCHR: header.type = .characterDevice
            case S_IFBLK: header.type = .blockDevice
            default: header.type = .fifo
            }
            (header.deviceMajor, header.deviceMinor) = DeviceNumber.split(device)
            try writer.writeEntry(header)
            written[key] = .other
        }
    }

    /// The directory's header went first, with its attributes: the daemon sets a directory's
    /// time once everything is extracted.
    func finishDirectory(_ entry: CopiedEntry, at path: [String]) throws {}

    func link(_ path: [String], to existing: [String]) throws {
        try writer.writeEntry(TarHeader(name: path.joined(separator: "/"), type: .hardLink, linkName: existing.joined(separator: "/")))
        written[path.joined(separator: "/")] = .other
    }

    func remove(_ path: [String]) throws {
        throw BuildError(
            .unsupported,
            "cannot remove /\(path.joined(separator: "/")) on the docker worker: the Engine API's archive upload only adds files; build with the native backend")
    }

    func extract(_ archive: String, into directory: String, owner: (uid: UInt32, gid: UInt32)?) throws {
        let target = try resolveComponents(directory, followFinalSymlink: true)
        for depth in 1...max(target.count, 1) where depth <= target.count {
            let path = Array(target.prefix(depth))
            guard node(at: path) == nil else { continue }
            try create(CopiedEntry(kind: .directory, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, permissions: 0o755), at: path)
        }
        var reader = TarReader(try DecompressingSource(try FileByteSource(path: archive)))
        while var header = try reader.next() {
            let name = try Self.components(header.name, in: archive)
            let path = target + name
            if header.type == .hardLink { header.linkName = (target + (try Self.components(header.linkName, in: archive))).joined(separator: "/") }
            if let owner {
                header.uid = Int(owner.uid)
                header.gid = Int(owner.gid)
            }
            header.userName = ""
            header.groupName = ""
            header.name = path.joined(separator: "/")
            // An archive's own root entry gives its attributes to the directory extracted into
            // (as the native worker's extraction gives them), but never to `/`.
            if path.isEmpty { continue }
            if let existing = node(at: path), !(existing.isDirectory && header.type == .directory) { try clear(path) }
            try writer.writeEntry(header, contents: &reader)
            switch header.type {
            case .directory: written[header.name] = .directory
            case .symbolicLink: written[header.name] = .symbolicLink(header.linkName)
            default: written[header.name] = .other
            }
        }
    }

    /// A name in an `ADD`ed archive as components; one that climbs out of it is refused, as
    /// the native worker's extraction refuses it.
    private static func components(_ name: String, in archive: String) throws -> [String] {
        let parts = name.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !parts.contains("..") else {
            throw BuildError(.invalidArgument, "\(archive): entry \(name) leads out of the directory it is extracted into")
        }
        return parts
    }

    private func isCleared(_ key: String) -> Bool {
        cleared.contains { key == $0 || key.hasPrefix($0 + "/") || $0.isEmpty }
    }
}
