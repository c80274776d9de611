#if canImport(Glibc)
    import Glibc
#endif

/// Produces an OCI layer tar from file system changes.
///
/// Three sources of changes:
/// - ``diff(lower:upper:to:)`` compares two full trees: a path added or changed in `upper`
///   (type, mode, owner, size, mtime, link target, device, xattrs — contents are compared when
///   size and a whole-second mtime agree, as such a time may have been truncated) is written;
///   a path missing from `upper` becomes a `.wh.NAME` whiteout.
/// - ``diffOverlayUpper(_:to:)`` reads an overlayfs upper directory alone: a character device
///   0:0 is a whiteout, a directory with `trusted.overlay.opaque=y` (or `user.overlay.opaque=y`)
///   is written followed by `.wh..wh..opq`.
/// - ``diff(since:to:)`` walks a live tree and compares it with a ``TreeRecord`` taken before
///   the changes: only what a step touched is read (``diffRecording(since:to:)`` also records
///   the tree for the next step).
///
/// Output is deterministic: entries in depth-first order with each directory's children sorted
/// by their UTF-8 bytes (so parents come before children, and parents of changed paths are
/// included), hard links within the layer detected by inode and written as link entries,
/// numeric uid/gid only, no atime/ctime, overlayfs' own xattrs left out, and with
/// ``Options/sourceDateEpoch`` every mtime later than it clamped to it.
public struct LayerDiffer: Sendable {
    /// Choices for ``LayerDiffer``.
    public struct Options: Sendable, Hashable {
        /// Clamp modification times to this many seconds since the epoch (`SOURCE_DATE_EPOCH`).
        public var sourceDateEpoch: Int64?

        public init(sourceDateEpoch: Int64? = nil) {
            self.sourceDateEpoch = sourceDateEpoch
        }
    }

    /// The choices in effect.
    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Writes the changes that turn `lower` into `upper` to `sink` as a tar (end marker
    /// included; the sink is not closed). Returns the number of entries written.
    @discardableResult
    public func diff(lower: String, upper: String, to sink: inout some ByteSink) throws -> Int {
        try write(to: &sink) { walker in
            try walker.compare(relative: "", lower: lower, upper: upper)
        }
    }

    /// Writes the layer an overlayfs upper directory stands for to `sink` (end marker
    /// included; the sink is not closed). Returns the number of entries written.
    ///
    /// `lowers` are the layers below, topmost first, as overlayfs stacks them. With them, a
    /// directory that is in the upper only because something was made and removed inside it
    /// (copied up, same metadata as below) is written only if something below it changed.
    @discardableResult
    public func diffOverlayUpper(_ upper: String, lowers: [String] = [], to sink: inout some ByteSink) throws -> Int {
        try write(to: &sink) { walker in
            try walker.overlay(relative: "", upper: upper, lowers: lowers)
        }
    }

    /// Writes `path` (and, for a directory, everything below it) to `sink` as a tar whose
    /// entries are named from `name` down, as `docker cp` archives a container path. Symbolic
    /// links are written as links, never followed. Throws `notFound` when `path` does not exist.
    @discardableResult
    public func archive(_ path: String, as name: String, to sink: inout some ByteSink) throws -> Int {
        guard let info = try FileSystem.info(path) else {
            throw ArchiveError(.notFound, "\(path): no such file or directory")
        }
        return try write(to: &sink) { walker in
            try walker.emitTree(relative: name, path: path, info: info)
        }
    }

    /// Writes entry `path` of the directory tree at `root` (and, for a directory, everything
    /// below it) as ``archive(_:as:to:)`` does, resolving `path` inside the root (symlinks on the
    /// way followed as the root would see them; the last one only when `path` ends in `/` or
    /// `/.`, else it is written as a link) and reading the tree by
    /// descriptors only: a tree changed while it is read — a running container's — cannot make
    /// the archive hold anything from outside the root. Throws `notFound` when `path` does not
    /// exist.
    @discardableResult
    public func archive(_ path: String, inRoot root: String, as name: String, to sink: inout some ByteSink) throws -> Int {
        // A symlink is copied as itself, as `docker cp` copies one (`-L` follows it); a path
        // ending in `/` or `/.` means what it leads to.
        let found = try RootDirectory(path: root).entry(path, followFinalSymlink: path.hasSuffix("/") || path.hasSuffix("/."))
        guard let info = try found.handle.info(found.name) else {
            throw ArchiveError(.notFound, "\(path): no such file or directory")
        }
        return try write(to: &sink) { walker in
            try walker.emitTree(relative: name, entry: found.name, in: found.handle, info: info)
        }
    }

    func write<S: ByteSink>(to sink: inout S, _ body: (inout DiffWalker<S>) throws -> Void) throws -> Int {
        var walker = DiffWalker(writer: TarWriter(sink), options: options)
        try body(&walker)
        try walker.writer.finish()
        sink = walker.writer.sink
        return walker.entryCount
    }
}

/// One diff in progress: the tar being written and what was emitted so far.
struct DiffWalker<Sink: ByteSink> {
    var writer: TarWriter<Sink>
    let options: LayerDiffer.Options
    var entryCount = 0
    /// Directories whose entry is written (parents must precede children).
    private var emittedDirectories: Set<String> = [""]
    /// Directories seen on the way down whose entry is written only if something below changes.
    var pendingDirectories: [(relative: String, path: String, info: FileInfo)] = []
    /// (device, inode) of multiply-linked files already written → their entry name.
    private var linkTargets: [HardLinkKey: String] = [:]

    private struct HardLinkKey: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    init(writer: TarWriter<Sink>, options: LayerDiffer.Options) {
        self.writer = writer
        self.options = options
    }

    // MARK: - Walks

    mutating func compare(relative: String, lower: String?, upper: String) throws {
        let upperNames = try FileSystem.list(upper)
        let lowerNames = try lower.map { try FileSystem.list($0) } ?? []
        for name in Self.mergeSorted(upperNames, lowerNames) {
            let childRelative = Self.join(relative, name)
            let upperPath = upper + "/" + name
            let lowerPath = lower.map { $0 + "/" + name }
            let upperInfo = try FileSystem.info(upperPath)
            let lowerInfo = try lowerPath.flatMap { try FileSystem.info($0) }
            guard let upperInfo else {
                if lowerInfo != nil { try emitWhiteout(relative: relative, name: name) }
                continue
            }
            guard let lowerInfo, let lowerPath else {
                try emitTree(relative: childRelative, path: upperPath, info: upperInfo)
                continue
            }
            if upperInfo.kind == .directory {
                if lowerInfo.kind == .directory {
                    if try !Self.sameMetadata(upperPath, upperInfo, lowerPath, lowerInfo) {
                        try emit(relative: childRelative, path: upperPath, info: upperInfo)
                    }
                    pendingDirectories.append((childRelative, upperPath, upperInfo))
                    try compare(relative: childRelative, lower: lowerPath, upper: upperPath)
                    pendingDirectories.removeLast()
                } else {
                    try emitTree(relative: childRelative, path: upperPath, info: upperInfo)
                }
            } else if try !Self.same(upperPath, upperInfo, lowerPath, lowerInfo) {
                try emit(relative: childRelative, path: upperPath, info: upperInfo)
            }
        }
    }

    mutating func overlay(relative: String, upper: String, lowers: [String]) throws {
        for name in try FileSystem.list(upper) {
            let childRelative = Self.join(relative, name)
            let path = upper + "/" + name
            guard let info = try FileSystem.info(path) else { continue }
            if info.kind == .characterDevice && info.deviceMajor == 0 && info.deviceMinor == 0 {
                try emitWhiteout(relative: relative, name: name)
                continue
            }
            guard info.kind == .directory else {
                try emit(relative: childRelative, path: path, info: info)
                continue
            }
            let xattrs = try FileSystem.xattrs(path)
            let opaque = xattrs["trusted.overlay.opaque"] == Array("y".utf8) || xattrs["user.overlay.opaque"] == Array("y".utf8)
            if !opaque, let below = try Self.lowerEntry(childRelative, in: lowers), below.info.kind == .directory,
               try Self.sameMetadata(path, info, below.path, below.info) {
                // Copied up but unchanged itself: written only before something changed inside.
                pendingDirectories.append((childRelative, path, info))
                try overlay(relative: childRelative, upper: path, lowers: lowers)
                pendingDirectories.removeLast()
                continue
            }
            try emit(relative: childRelative, path: path, info: info)
            if opaque { try writeMarker(Self.join(childRelative, ".wh..wh..opq")) }
            try overlay(relative: childRelative, upper: path, lowers: opaque ? [] : lowers)
        }
    }

    /// The topmost lower layer's entry at `relative`, as overlayfs would show it; nil when no
    /// layer has it or the topmost mention is a whiteout.
    private static func lowerEntry(_ relative: String, in lowers: [String]) throws -> (path: String, info: FileInfo)? {
        for lower in lowers {
            let path = lower + "/" + relative
            guard let info = try FileSystem.info(path) else { continue }
            if info.kind == .characterDevice && info.deviceMajor == 0 && info.deviceMinor == 0 { return nil }
            return (path, info)
        }
        return nil
    }

    /// Writes `path` and, for a directory, everything below it.
    mutating func emitTree(relative: String, path: String, info: FileInfo) throws {
        try emit(relative: relative, path: path, info: info)
        guard info.kind == .directory else { return }
        for name in try FileSystem.list(path) {
            let childPath = path + "/" + name
            guard let childInfo = try FileSystem.info(childPath) else { continue }
            try emitTree(relative: Self.join(relative, name), path: childPath, info: childInfo)
        }
    }

    /// Writes entry `name` of `parent` and, for a directory, everything below it, opening
    /// each directory from its parent's descriptor without following symlinks.
    mutating func emitTree(relative: String, entry name: String, in parent: DirectoryHandle, info: FileInfo) throws {
        try emit(relative: relative, path: parent.pinnedPath(name), info: info)
        guard info.kind == .directory, let directory = try parent.directory(name) else { return }
        for child in try directory.list() {
            guard let childInfo = try directory.info(child) else { continue }
            try emitTree(relative: Self.join(relative, child), entry: child, in: directory, info: childInfo)
        }
    }

    // MARK: - Entries

    mutating func emit(relative: String, path: String, info: FileInfo) throws {
        try flushPendingDirectories()
        try writeEntry(relative: relative, path: path, info: info)
    }

    private mutating func writeEntry(relative: String, path: String, info: FileInfo) throws {
        var header = TarHeader(
            name: relative, mode: info.permissions, uid: info.uid, gid: info.gid,
            modificationTime: clamp(info.modificationTime))
        switch info.kind {
        case .socket:
            return  // tar cannot hold sockets; they are recreated by whoever listens
        case .regular:
            header.type = .regular
            header.size = info.size
            if info.linkCount > 1 {
                let key = HardLinkKey(device: info.device, inode: info.inode)
                if let first = linkTargets[key] {
                    header.type = .hardLink
                    header.size = 0
                    header.linkName = first
                } else {
                    linkTargets[key] = relative
                }
            }
        case .directory: header.type = .directory
        case .symbolicLink:
            header.type = .symbolicLink
            header.linkName = try FileSystem.readLink(path)
        case .characterDevice, .blockDevice:
            header.type = info.kind == .characterDevice ? .characterDevice : .blockDevice
            header.deviceMajor = info.deviceMajor
            header.deviceMinor = info.deviceMinor
        case .fifo: header.type = .fifo
        }
        header.xattrs = try Self.layerXattrs(path)
        if header.type == .regular && header.size > 0 {
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw ArchiveError.system("open", path: path) }
            var source = FileByteSource(fileDescriptor: fd, closeOnDeinit: true)
            try writer.writeEntry(header, contents: &source)
        } else {
            try writer.writeEntry(header)
        }
        if header.type == .directory { emittedDirectories.insert(relative) }
        entryCount += 1
    }

    mutating func emitWhiteout(relative: String, name: String) throws {
        try writeMarker(Self.join(relative, ".wh." + name))
    }

    /// An empty regular file standing for a whiteout or an opaque marker.
    mutating func writeMarker(_ name: String) throws {
        try flushPendingDirectories()
        try writer.writeEntry(TarHeader(name: name, type: .regular, mode: 0, modificationTime: clamp(TarTimestamp(seconds: 0))))
        entryCount += 1
    }

    /// Writes the unchanged ancestor directories of the entry about to be written; they stay
    /// on the stack until the walk leaves them.
    private mutating func flushPendingDirectories() throws {
        for directory in pendingDirectories where !emittedDirectories.contains(directory.relative) {
            try writeEntry(relative: directory.relative, path: directory.path, info: directory.info)
        }
    }

    private func clamp(_ time: TarTimestamp) -> TarTimestamp {
        guard let epoch = options.sourceDateEpoch, time > TarTimestamp(seconds: epoch) else { return time }
        return TarTimestamp(seconds: epoch)
    }

    // MARK: - Comparison

    /// xattrs that belong in a layer: overlayfs' own bookkeeping is left out.
    private static func layerXattrs(_ path: String) throws -> [String: [UInt8]] {
        try FileSystem.xattrs(path).filter { !$0.key.hasPrefix("trusted.overlay.") && !$0.key.hasPrefix("user.overlay.") }
    }

    private static func sameMetadata(_ upperPath: String, _ upper: FileInfo, _ lowerPath: String, _ lower: FileInfo) throws -> Bool {
        guard upper.kind == lower.kind, upper.permissions == lower.permissions, upper.uid == lower.uid,
            upper.gid == lower.gid, upper.modificationTime == lower.modificationTime
        else { return false }
        return try layerXattrs(upperPath) == layerXattrs(lowerPath)
    }

    private static func same(_ upperPath: String, _ upper: FileInfo, _ lowerPath: String, _ lower: FileInfo) throws -> Bool {
        guard upper.kind == lower.kind, upper.permissions == lower.permissions, upper.uid == lower.uid,
            upper.gid == lower.gid
        else { return false }
        switch upper.kind {
        case .regular:
            guard upper.size == lower.size, upper.modificationTime == lower.modificationTime else { return false }
            // A whole-second time may be a truncated copy of a changed file's: check contents.
            if try upper.modificationTime.nanoseconds == 0 && !sameContents(upperPath, lowerPath) { return false }
        case .symbolicLink:
            guard try FileSystem.readLink(upperPath) == FileSystem.readLink(lowerPath) else { return false }
            guard upper.modificationTime == lower.modificationTime else { return false }
        case .characterDevice, .blockDevice:
            guard upper.deviceMajor == lower.deviceMajor, upper.deviceMinor == lower.deviceMinor,
                upper.modificationTime == lower.modificationTime
            else { return false }
        default:
            guard upper.modificationTime == lower.modificationTime else { return false }
        }
        return try layerXattrs(upperPath) == layerXattrs(lowerPath)
    }

    private static func sameContents(_ a: String, _ b: String) throws -> Bool {
        var left = try FileByteSource(path: a)
        var right = try FileByteSource(path: b)
        let leftBuffer = ByteBuffer(capacity: 256 * 1024)
        let rightBuffer = ByteBuffer(capacity: 256 * 1024)
        while true {
            let n = try left.readFully(into: leftBuffer.pointer)
            let m = try right.readFully(into: rightBuffer.pointer)
            guard n == m else { return false }
            if n == 0 { return true }
            guard memcmp(leftBuffer.pointer.baseAddress!, rightBuffer.pointer.baseAddress!, n) == 0 else { return false }
        }
    }

    // MARK: - Names

    static func join(_ parent: String, _ name: String) -> String {
        parent.isEmpty ? name : parent + "/" + name
    }

    /// The union of two byte-sorted name lists, byte-sorted.
    private static func mergeSorted(_ a: [String], _ b: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].utf8.lexicographicallyPrecedes(b[j].utf8)) {
                result.append(a[i])
                i += 1
            } else if i == a.count || b[j].utf8.lexicographicallyPrecedes(a[i].utf8) {
                result.append(b[j])
                j += 1
            } else {
                result.append(a[i])
                i += 1
                j += 1
            }
        }
        return result
    }
}
