extension LayerDiffer {
    /// Writes the changes made to the tree at `record.root` since `record` was taken to `sink`
    /// as a tar (end marker included; the sink is not closed). Returns the number of entries.
    ///
    /// See ``diffRecording(since:to:)``, which also returns the record of the tree as it now is.
    @discardableResult
    public func diff(since record: TreeRecord, to sink: inout some ByteSink) throws -> Int {
        try diffRecording(since: record, to: &sink).entries
    }

    /// Writes the changes made to the tree at `record.root` since `record` was taken to `sink`
    /// as a tar (end marker included; the sink is not closed), and records the tree as it now is:
    /// the record the next step's diff starts from, once
    /// ``TreeRecord/waitUntilLaterChangesShow()`` has returned.
    ///
    /// The walk costs one `fstatat` per file; a directory is listed only when its own record
    /// moved, and only files whose record moved are read. A path gone is a `.wh.NAME` whiteout;
    /// a directory replaced by a new one (another inode) is written whole after a
    /// `.wh..wh..opq` marker; the excluded paths of the record are never written.
    public func diffRecording(since record: TreeRecord, to sink: inout some ByteSink) throws -> (entries: Int, record: TreeRecord) {
        var after = record
        let entries = try write(to: &sink) { walker in
            var walk = TreeWalk(root: record.root, excluded: record.excluded, before: record, walker: walker)
            after = try walk.run()
            if let written = walk.walker { walker = written }
        }
        return (entries, after)
    }
}
