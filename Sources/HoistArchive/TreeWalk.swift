#if canImport(Glibc)
    import Glibc
#endif

/// One walk of a live tree against the ``TreeRecord`` taken before a step (or none, for a first
/// record), which records the tree as it now is: every file costs one `fstatat` relative to its
/// directory's descriptor, a directory is listed only when its own record moved, and only what
/// changed is read or named — written to `walker` when there is one.
struct TreeWalk<Sink: ByteSink> {
    let root: String
    let excluded: Set<String>
    let exclusions: TreeExclusions
    let before: TreeRecord?
    /// Where changes go; nil when only recording.
    var walker: DiffWalker<Sink>?
    private var rootDevice: UInt64 = 0
    private var directories: [TreeRecord.Directory] = []
    private var count = 0
    private var newestChange = TarTimestamp(seconds: 0)

    /// How a directory's children are found.
    private enum Basis {
        /// Its own record is unchanged, so are its names: the old record's children of the
        /// directory at this index, each stat'd again.
        case same(Int32)
        /// Listed, and merged with the old record's children of the directory at this index.
        case changed(Int32)
        /// Listed; every child is new.
        case new

        var lists: Bool {
            if case .same = self { return false }
            return true
        }
    }

    /// A directory's names as listed, sorted.
    private struct Listing {
        var names: [UInt8] = []
        /// (offset, length) of each name in `names`, sorted by the names' bytes.
        var spans: [(offset: Int32, length: Int32)] = []
    }

    init(root: String, excluded: Set<String>, before: TreeRecord?, walker: DiffWalker<Sink>?) {
        self.root = root
        self.excluded = excluded
        exclusions = before?.exclusions ?? TreeExclusions(excluded)
        self.before = before
        self.walker = walker
    }

    /// Walks the whole tree and returns its record.
    mutating func run() throws -> TreeRecord {
        let fd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.system("open", path: root) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            close(fd)
            throw ArchiveError.system("lstat", path: root)
        }
        rootDevice = UInt64(status.st_dev)
        let rootEntry = TreeRecord.Entry(status)
        newestChange = rootEntry.change
        let basis: Basis
        if let before {
            basis = before.rootEntry == rootEntry ? .same(0) : .changed(0)
        } else {
            basis = .new
        }
        _ = try walkDirectory(fd, relative: "", basis: basis, exclusion: TreeExclusions.root)
        return TreeRecord(
            root: root, excluded: excluded, exclusions: exclusions, rootDevice: rootDevice, rootEntry: rootEntry,
            directories: directories, count: count, newestChange: newestChange)
    }

    /// Walks the directory open as `fd` (closed here) and returns the index of its new record.
    private mutating func walkDirectory(_ fd: Int32, relative: String, basis: Basis, exclusion: Int?) throws -> Int32 {
        let index = directories.count
        directories.append(TreeRecord.Directory())
        var directory: TreeRecord.Directory
        switch basis {
        case .same(let old):
            defer { close(fd) }
            directory = before?.directories[Int(old)] ?? TreeRecord.Directory()
            let names = directory.names
            var gone: [Int] = []
            try names.withUnsafeBufferPointer { names in
                for position in directory.children.indices {
                    let recorded = directory.children[position]
                    let child = try visit(
                        fd, names: names, offset: recorded.nameOffset, length: recorded.nameLength, recorded: recorded,
                        relative: relative, exclusion: exclusion)
                    if let child {
                        // Written only when it moved: an unchanged directory shares the old record's.
                        if child != recorded { directory.children[position] = child }
                    } else {
                        gone.append(position)
                    }
                }
            }
            for position in gone.reversed() { directory.children.remove(at: position) }
        case .changed, .new:
            guard let stream = fdopendir(fd) else {
                close(fd)
                throw ArchiveError.system("opendir", path: TreeRecord.path(root, relative))
            }
            defer { closedir(stream) }
            let listing = try list(stream, relative: relative)
            directory = TreeRecord.Directory(names: listing.names, children: [])
            directory.children.reserveCapacity(listing.spans.count)
            var old = TreeRecord.Directory()
            if case .changed(let index) = basis, let before { old = before.directories[Int(index)] }
            try listing.names.withUnsafeBufferPointer { names in
                try old.names.withUnsafeBufferPointer { oldNames in
                    var i = 0
                    var j = 0
                    while i < old.children.count || j < listing.spans.count {
                        let order: Int32
                        if i == old.children.count {
                            order = 1
                        } else if j == listing.spans.count {
                            order = -1
                        } else {
                            let recorded = old.children[i]
                            let span = listing.spans[j]
                            order = Self.compare(oldNames, recorded.nameOffset, recorded.nameLength, names, span.offset, span.length)
                        }
                        if order < 0 {
                            // Gone since the record.
                            let recorded = old.children[i]
                            let name = Self.string(oldNames, recorded.nameOffset, recorded.nameLength)
                            try walker?.emitWhiteout(relative: relative, name: name)
                            i += 1
                            continue
                        }
                        let span = listing.spans[j]
                        let recorded = order == 0 ? old.children[i] : nil
                        if order == 0 { i += 1 }
                        j += 1
                        if let child = try visit(
                            fd, names: names, offset: span.offset, length: span.length, recorded: recorded,
                            relative: relative, exclusion: exclusion)
                        {
                            directory.children.append(child)
                        }
                    }
                }
            }
        }
        directories[index] = directory
        return Int32(index)
    }

    /// Stats entry `offset`/`length` of `names` in the directory open as `fd` and compares it
    /// with its record (nil: not recorded), writing what changed; returns its new record, nil
    /// when it is gone or left out.
    private mutating func visit(
        _ fd: Int32, names: UnsafeBufferPointer<UInt8>, offset: Int32, length: Int32, recorded: TreeRecord.Child?,
        relative: String, exclusion: Int?
    ) throws -> TreeRecord.Child? {
        let nameBytes = UnsafeBufferPointer(rebasing: names[Int(offset)..<Int(offset + length)])
        let childExclusion = exclusion.flatMap { exclusions.child(of: $0, named: nameBytes) }
        if let childExclusion, exclusions.isExcluded(childExclusion) { return nil }
        let pointer = UnsafeRawPointer(names.baseAddress! + Int(offset)).assumingMemoryBound(to: CChar.self)
        var status = stat()
        guard fstatat(fd, pointer, &status, AT_SYMLINK_NOFOLLOW) == 0 else {
            let name = Self.string(names, offset, length)
            guard errno == ENOENT else { throw ArchiveError.system("lstat", path: TreeRecord.path(root, DiffWalker<Sink>.join(relative, name))) }
            if recorded != nil { try walker?.emitWhiteout(relative: relative, name: name) }
            return nil
        }
        let current = TreeRecord.Entry(status)
        if current.isDirectory && UInt64(status.st_dev) != rootDevice { return nil }
        if current.change > newestChange { newestChange = current.change }
        count += 1
        var child = TreeRecord.Child(nameOffset: offset, nameLength: length, entry: current, directory: -1)
        guard current.isDirectory else {
            if current != recorded?.entry, walker != nil {
                let childRelative = DiffWalker<Sink>.join(relative, Self.string(names, offset, length))
                let path = TreeRecord.path(root, childRelative)
                try walker?.emit(relative: childRelative, path: path, info: FileInfo(status))
            }
            return child
        }
        let childRelative = DiffWalker<Sink>.join(relative, Self.string(names, offset, length))
        let path = walker == nil ? "" : TreeRecord.path(root, childRelative)
        let basis: Basis
        if let recorded, recorded.entry.isDirectory, recorded.entry.inode == current.inode, recorded.directory >= 0 {
            basis = recorded.entry == current ? .same(recorded.directory) : .changed(recorded.directory)
            if recorded.entry != current { try walker?.emit(relative: childRelative, path: path, info: FileInfo(status)) }
            walker?.pendingDirectories.append((childRelative, path, FileInfo(status)))
        } else {
            // New, or a new directory in place of what was there: nothing below comes from before.
            try walker?.emit(relative: childRelative, path: path, info: FileInfo(status))
            if recorded?.entry.isDirectory == true { try walker?.writeMarker(DiffWalker<Sink>.join(childRelative, ".wh..wh..opq")) }
            basis = .new
        }
        let flags = (basis.lists ? O_RDONLY : O_PATH) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
        let opened = openat(fd, pointer, flags)
        guard opened >= 0 else { throw ArchiveError.system("open", path: TreeRecord.path(root, childRelative)) }
        child.directory = try walkDirectory(opened, relative: childRelative, basis: basis, exclusion: childExclusion)
        if case .new = basis {} else { walker?.pendingDirectories.removeLast() }
        return child
    }

    /// The names in the directory `stream` (without `.` and `..`), sorted by their bytes.
    private func list(_ stream: OpaquePointer, relative: String) throws -> Listing {
        var listing = Listing()
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw ArchiveError.system("readdir", path: TreeRecord.path(root, relative)) }
                break
            }
            withUnsafePointer(to: entry.pointee.d_name) { name in
                name.withMemoryRebound(to: UInt8.self, capacity: 256) { name in
                    let length = strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self))
                    if (length == 1 && name[0] == UInt8(ascii: ".")) || (length == 2 && name[0] == UInt8(ascii: ".") && name[1] == UInt8(ascii: ".")) {
                        return
                    }
                    listing.spans.append((Int32(listing.names.count), Int32(length)))
                    listing.names.append(contentsOf: UnsafeBufferPointer(start: name, count: length))
                    listing.names.append(0)
                }
            }
        }
        let names = listing.names
        names.withUnsafeBufferPointer { names in
            listing.spans.sort { Self.compare(names, $0.offset, $0.length, names, $1.offset, $1.length) < 0 }
        }
        return listing
    }

    /// Orders two names by their bytes, a prefix first.
    private static func compare(
        _ a: UnsafeBufferPointer<UInt8>, _ aOffset: Int32, _ aLength: Int32,
        _ b: UnsafeBufferPointer<UInt8>, _ bOffset: Int32, _ bLength: Int32
    ) -> Int32 {
        let common = memcmp(a.baseAddress! + Int(aOffset), b.baseAddress! + Int(bOffset), Int(min(aLength, bLength)))
        if common != 0 { return common }
        return aLength < bLength ? -1 : (aLength > bLength ? 1 : 0)
    }

    private static func string(_ names: UnsafeBufferPointer<UInt8>, _ offset: Int32, _ length: Int32) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: names[Int(offset)..<Int(offset + length)]), as: UTF8.self)
    }
}
