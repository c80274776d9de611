#if canImport(Glibc)
    import Glibc
#endif

extension LayerDiffer {
    /// Writes the changes made to the tree at `record.root` since `record` was taken to `sink`
    /// as a tar (end marker included; the sink is not closed). Returns the number of entries.
    ///
    /// The walk costs an `lstat` per file; only files whose recorded metadata changed are read.
    /// A path gone is a `.wh.NAME` whiteout; a directory replaced by a new one (another inode)
    /// is written whole after a `.wh..wh..opq` marker; the excluded paths of the record are
    /// never written.
    @discardableResult
    public func diff(since record: TreeRecord, to sink: inout some ByteSink) throws -> Int {
        try write(to: &sink) { walker in
            try walker.compare(since: record, relative: "", path: record.root)
        }
    }
}

extension DiffWalker {
    mutating func compare(since record: TreeRecord, relative: String, path: String) throws {
        let before = record.children(of: relative)
        let now = try FileSystem.list(path)
        var i = 0
        var j = 0
        while i < before.count || j < now.count {
            let name: String
            var recorded: TreeRecord.Child?
            if j == now.count || (i < before.count && before[i].name.utf8.lexicographicallyPrecedes(now[j].utf8)) {
                name = before[i].name
                recorded = before[i]
                i += 1
            } else if i == before.count || now[j].utf8.lexicographicallyPrecedes(before[i].name.utf8) {
                name = now[j]
                j += 1
            } else {
                name = now[j]
                recorded = before[i]
                i += 1
                j += 1
            }
            try compareChild(name, recorded: recorded?.entry, since: record, relative: relative, path: path)
        }
    }

    private mutating func compareChild(
        _ name: String, recorded: TreeRecord.Entry?, since record: TreeRecord, relative: String, path: String
    ) throws {
        let childRelative = Self.join(relative, name)
        let childPath = TreeRecord.path(path, name)
        var status = stat()
        guard lstat(childPath, &status) == 0 else {
            guard errno == ENOENT else { throw ArchiveError.system("lstat", path: childPath) }
            if recorded != nil { try emitWhiteout(relative: relative, name: name) }
            return
        }
        let current = TreeRecord.Entry(status)
        if record.leavesOut(childRelative, isDirectory: current.isDirectory, device: UInt64(status.st_dev)) { return }
        let info = FileInfo(status)
        guard let recorded else {
            try emitAdded(childRelative, path: childPath, info: info, since: record)
            return
        }
        guard current.isDirectory else {
            if current != recorded { try emit(relative: childRelative, path: childPath, info: info) }
            return
        }
        guard recorded.isDirectory, recorded.inode == current.inode else {
            // A new directory in place of what was there: nothing below comes from before.
            try emit(relative: childRelative, path: childPath, info: info)
            if recorded.isDirectory { try writeMarker(Self.join(childRelative, ".wh..wh..opq")) }
            try emitChildren(of: childRelative, path: childPath, since: record)
            return
        }
        if current != recorded { try emit(relative: childRelative, path: childPath, info: info) }
        pendingDirectories.append((childRelative, childPath, info))
        try compare(since: record, relative: childRelative, path: childPath)
        pendingDirectories.removeLast()
    }

    /// Writes a path that was not there before and, for a directory, everything below it.
    private mutating func emitAdded(_ relative: String, path: String, info: FileInfo, since record: TreeRecord) throws {
        try emit(relative: relative, path: path, info: info)
        if info.kind == .directory { try emitChildren(of: relative, path: path, since: record) }
    }

    private mutating func emitChildren(of relative: String, path: String, since record: TreeRecord) throws {
        for name in try FileSystem.list(path) {
            let childRelative = Self.join(relative, name)
            let childPath = TreeRecord.path(path, name)
            guard let info = try FileSystem.info(childPath),
                !record.leavesOut(childRelative, isDirectory: info.kind == .directory, device: info.device)
            else { continue }
            try emitAdded(childRelative, path: childPath, info: info, since: record)
        }
    }
}
