public import HoistOCI

#if canImport(Glibc)
    import Glibc
#endif

/// How deletions are recorded when a layer is applied.
public enum WhiteoutStyle: Sendable, Hashable {
    /// Whiteouts delete: `.wh.NAME` removes NAME, `.wh..wh..opq` empties the directory of
    /// what lower layers put there. For applying onto a full root file system.
    case oci
    /// Whiteouts are recorded as overlayfs does in an upper directory: `.wh.NAME` becomes a
    /// character device 0:0 named NAME, `.wh..wh..opq` sets `trusted.overlay.opaque=y` on
    /// the directory. For unpacking a layer into a snapshot that overlayfs will stack.
    case overlay
}

/// What applying a layer did.
public struct AppliedLayer: Sendable, Hashable {
    /// Digest of the uncompressed tar, to compare with the image config's `diff_ids`.
    public var diffID: Digest
    /// Size of the uncompressed tar in bytes.
    public var size: Int64
    /// The compression the layer turned out to have.
    public var compression: DetectedCompression
    /// The number of tar entries processed.
    public var entryCount: Int
    /// Things skipped on purpose, for a human: xattrs the file system refused, device nodes
    /// not created.
    public var warnings: [String]

    public init(diffID: Digest, size: Int64, compression: DetectedCompression, entryCount: Int, warnings: [String]) {
        self.diffID = diffID
        self.size = size
        self.compression = compression
        self.entryCount = entryCount
        self.warnings = warnings
    }
}

/// Applies an OCI layer (a tar, plain or gzip/zstd-compressed, detected from its bytes) onto
/// a directory.
///
/// Nothing is ever written outside the root: entry names are cleaned lexically and refused
/// (`invalidArgument`, naming the entry) when `..` would climb above the root; a leading `/`
/// is taken as relative to the root, as Docker does; symlinks in the root — including ones
/// this layer just created, and ones with absolute targets — are resolved inside the root
/// (see ``RootedPath``), never on the host; an entry replacing a symlink replaces the link
/// itself; hard-link targets are resolved the same way and must exist inside the root.
///
/// Directories get their final mode and mtime after all contents are written, so read-only
/// directories work. Ownership is applied with `lchown` when ``Options/preserveOwnership``
/// (default: when running as root). On error the root is left partly applied: apply into a
/// fresh snapshot and discard it on failure.
public struct LayerApplier: Sendable {
    /// Choices for ``LayerApplier``.
    public struct Options: Sendable, Hashable {
        /// How whiteouts are applied.
        public var whiteoutStyle: WhiteoutStyle
        /// Apply entries' uid/gid with `lchown` (needs root).
        public var preserveOwnership: Bool
        /// Create device nodes with `mknod` (needs root); skipped with a warning otherwise.
        /// FIFOs are always created.
        public var createDevices: Bool
        /// If set, the uncompressed tar must have this digest, or `apply` throws `dataLoss`.
        public var expectedDiffID: Digest?
        /// If set, the layer's bytes as given (compressed) must have this digest, or `apply`
        /// throws `dataLoss`. Costs a second hash; leave nil for blobs already verified.
        public var expectedDigest: Digest?
        /// If set, every entry gets this owner instead of the archive's (`ADD --chown`).
        public var owner: Owner?

        /// Numeric ids an entry is given.
        public struct Owner: Sendable, Hashable {
            public var uid: Int
            public var gid: Int

            public init(uid: Int, gid: Int) {
                self.uid = uid
                self.gid = gid
            }
        }

        /// Root-relative paths (no leading `/`) left as they are, with everything under them:
        /// entries and whiteouts for them are skipped, and an opaque directory or a replaced
        /// one that holds them is emptied around them (pod isolation's mount points and store).
        public var preserved: Set<String> = []

        /// `preserveOwnership` defaults to whether the process runs as root, `createDevices` to
        /// whether it runs as the host's root (a user namespace cannot make device nodes).
        public init(
            whiteoutStyle: WhiteoutStyle = .oci, preserveOwnership: Bool? = nil, createDevices: Bool? = nil,
            expectedDiffID: Digest? = nil, expectedDigest: Digest? = nil
        ) {
            let isRoot = geteuid() == 0
            self.whiteoutStyle = whiteoutStyle
            self.preserveOwnership = preserveOwnership ?? isRoot
            self.createDevices = createDevices ?? (isRoot && !UserNamespace.isNested)
            self.expectedDiffID = expectedDiffID
            self.expectedDigest = expectedDigest
        }
    }

    /// Where the layer goes: a directory, or a directory inside a tree that may change meanwhile.
    private enum Target {
        case directory(String)
        case inside(root: String, directory: String)
    }

    private let target: Target
    /// The choices in effect.
    public var options: Options

    /// Applies onto `root`, which must be an existing directory.
    public init(root: String, options: Options = Options()) throws {
        _ = try RootedPath(root: root)
        self.target = .directory(root)
        self.options = options
    }

    /// Applies onto `directory` of the tree at `root` (its symlinks followed inside `root`),
    /// which must exist: the layer's own paths then resolve inside that directory. Made for
    /// trees something else may change while the layer is applied — a running container's —
    /// the directory is found by descriptors, never by a path checked first and used later.
    public init(root: String, directory: String, options: Options = Options()) {
        self.target = .inside(root: root, directory: directory)
        self.options = options
    }

    /// The opened directory the layer goes into.
    private func openTarget() throws -> RootDirectory {
        switch target {
        case .directory(let path):
            return try RootDirectory(path: path)
        case .inside(let root, let directory):
            return RootDirectory(handle: try RootDirectory(path: root).directory(directory).handle)
        }
    }

    /// Reads the whole layer from `layer` and applies it. Throws ``ArchiveError``: the tar's
    /// own errors (`dataLoss` when truncated, `invalidArgument` when malformed), `invalidArgument`
    /// for an entry that would escape the root, `dataLoss` for a digest or diffID mismatch, and
    /// system errors naming the entry.
    public func apply(_ layer: some ByteSource) throws -> AppliedLayer {
        guard let expected = options.expectedDigest else {
            return try apply(decompressed: DecompressingSource(layer))
        }
        let decompressed = try DecompressingSource(DigestingSource(layer))
        let result = try apply(decompressed: decompressed)
        let digest = decompressed.inner.digest
        guard digest == expected else {
            throw ArchiveError(.dataLoss, "layer digest mismatch: expected \(expected), got \(digest)")
        }
        return result
    }

    private func apply<Source: ByteSource>(decompressed: DecompressingSource<Source>) throws -> AppliedLayer {
        let compression = decompressed.compression
        var reader = TarReader(DigestingSource(decompressed))
        var session = ApplySession(directory: try openTarget(), options: options)
        var count = 0
        while let header = try reader.next() {
            try session.apply(header, contents: &reader)
            count += 1
        }
        try session.finish()
        try reader.drainSource()
        let diffID = reader.source.digest
        if let expected = options.expectedDiffID, expected != diffID {
            throw ArchiveError(.dataLoss, "layer diffID mismatch: expected \(expected), got \(diffID)")
        }
        return AppliedLayer(
            diffID: diffID, size: reader.source.count, compression: compression, entryCount: count,
            warnings: session.warnings)
    }
}

/// The state of one `apply`: what this layer created (so opaque directories and whiteouts
/// spare it), directories awaiting their final metadata, and resolved parents.
///
/// Every change is made through descriptors of the directories involved (``RootDirectory``,
/// ``DirectoryHandle``), so a tree that changes while the layer is applied — a running
/// container's, for `cp` — cannot lead a write outside the root.
private struct ApplySession {
    let directory: RootDirectory
    let options: LayerApplier.Options
    var warnings: [String] = []
    /// Root-relative resolved paths this layer created.
    private var added: Set<String> = []
    /// Directories to finish (mode, mtime) after everything else, in creation order, by their
    /// root-relative resolved components.
    private var directories: [(components: [String], header: TarHeader)] = []
    /// Lexical parent path → its open directory and resolved components; cleared whenever a
    /// directory or symlink is removed or replaced, since that can change where a path leads.
    private var parentCache: [String: (handle: DirectoryHandle, components: [String])] = [:]
    /// The most parents kept open at once.
    private static let parentCacheLimit = 64
    private let copyBuffer = ByteBuffer(capacity: 1 << 20)

    init(directory: RootDirectory, options: LayerApplier.Options) {
        self.directory = directory
        self.options = options
    }

    mutating func apply<S: ByteSource>(_ header: TarHeader, contents: inout TarReader<S>) throws {
        var header = header
        if let owner = options.owner { (header.uid, header.gid) = (owner.uid, owner.gid) }
        let components = try Self.components(header.name, entry: header.name)
        guard let base = components.last else {
            // The root itself ("./"): only its metadata can change.
            guard header.type == .directory else {
                throw ArchiveError(.invalidArgument, "the root of a layer must be a directory", path: header.name)
            }
            directories.append(([], header))
            return
        }
        let parentComponents = Array(components.dropLast())
        // Checked before the parent is resolved, so nothing is created inside a kept path.
        if isPreserved(components.joined(separator: "/")) { return }

        if base.hasPrefix(".wh.") {
            try applyWhiteout(base: base, parent: parentComponents, header: header)
            return
        }

        let (parent, resolvedParent) = try resolveParent(parentComponents, entry: header.name)
        let relative = (resolvedParent + [base]).joined(separator: "/")
        if isPreserved(relative) { return }

        if let existing = try parent.info(base) {
            if existing.kind == .directory && header.type == .directory {
                // Merge into the existing directory; its metadata is updated below.
            } else {
                if holdsPreserved(relative) {
                    throw ArchiveError(.failedPrecondition, "cannot replace a directory that holds a kept path (a mount point)", path: header.name)
                }
                if existing.kind == .directory || existing.kind == .symbolicLink { parentCache.removeAll() }
                try remove(base, in: parent, entry: header.name)
            }
        }

        switch header.type {
        case .regular:
            try writeFile(header, named: base, in: parent, contents: &contents)
        case .directory:
            if try parent.info(base) == nil {
                try check(parent.makeDirectory(base, mode: 0o700), "mkdir", header)
            }
            try setOwner(base, in: parent, header)
            setXattrs(base, in: parent, header)
            directories.append((resolvedParent + [base], header))
        case .symbolicLink:
            try check(parent.makeSymlink(base, target: header.linkName), "symlink", header)
            try setOwner(base, in: parent, header)
            setXattrs(base, in: parent, header)
            try check(parent.setTimes(base, header.modificationTime), "utimensat", header)
        case .hardLink:
            try link(header, named: base, in: parent)
        case .characterDevice, .blockDevice, .fifo:
            if header.type != .fifo && !options.createDevices {
                warnings.append("skipped device node \(header.name) (\(header.deviceMajor):\(header.deviceMinor))")
                return
            }
            let kind = header.type == .fifo ? S_IFIFO : (header.type == .characterDevice ? S_IFCHR : S_IFBLK)
            let device = FileSystem.makeDevice(major: header.deviceMajor, minor: header.deviceMinor)
            try check(parent.makeNode(base, mode: kind | 0o600, device: device), "mknod", header)
            try setOwner(base, in: parent, header)
            try check(parent.setMode(base, mode_t(header.mode)), "chmod", header)
            setXattrs(base, in: parent, header)
            try check(parent.setTimes(base, header.modificationTime), "utimensat", header)
        }
        added.insert(relative)
    }

    /// Gives directories their final mode and mtime, deepest last-created first.
    mutating func finish() throws {
        parentCache.removeAll()
        for (components, header) in directories.reversed() {
            let parent: DirectoryHandle
            let name: String
            if let last = components.last {
                // Resolved without creating: what is gone or no longer a directory is skipped.
                guard let found = try? directory.directory(components.dropLast().joined(separator: "/")) else { continue }
                (parent, name) = (found.handle, last)
            } else {
                (parent, name) = (directory.handle, ".")
            }
            guard try parent.info(name)?.kind == .directory else { continue }
            try check(parent.setMode(name, mode_t(header.mode)), "chmod", header)
            try check(parent.setTimes(name, header.modificationTime), "utimensat", header)
        }
    }

    // MARK: - Entries

    private mutating func writeFile<S: ByteSource>(
        _ header: TarHeader, named name: String, in parent: DirectoryHandle, contents: inout TarReader<S>
    ) throws {
        let fd = parent.createFile(name, mode: 0o600)
        guard fd >= 0 else { throw ArchiveError.system("create", path: header.name) }
        defer { close(fd) }
        while true {
            let n = try contents.read(into: copyBuffer.pointer)
            if n == 0 { break }
            var offset = 0
            while offset < n {
                let written = write(fd, copyBuffer.pointer.baseAddress! + offset, n - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ArchiveError.system("write", path: header.name)
                }
                offset += written
            }
        }
        if options.preserveOwnership {
            try check(fchown(fd, uid_t(truncatingIfNeeded: header.uid), gid_t(truncatingIfNeeded: header.gid)), "chown", header)
        }
        // After chown, which clears setuid/setgid.
        try check(fchmod(fd, mode_t(header.mode)), "chmod", header)
        setXattrs(name, in: parent, header)
        try check(parent.setTimes(name, header.modificationTime), "utimensat", header)
    }

    private mutating func link(_ header: TarHeader, named name: String, in parent: DirectoryHandle) throws {
        let targetComponents = try Self.components(header.linkName, entry: header.name)
        guard !targetComponents.isEmpty else {
            throw ArchiveError(.invalidArgument, "hard link to the root directory", path: header.name)
        }
        let missing = ArchiveError(
            .invalidArgument, "hard link target \"\(header.linkName)\" does not exist inside the root", path: header.name)
        guard let target = try? directory.parent(of: header.linkName), let info = try target.handle.info(target.name) else {
            throw missing
        }
        guard info.kind != .directory else {
            throw ArchiveError(.invalidArgument, "hard link to a directory \"\(header.linkName)\"", path: header.name)
        }
        try check(parent.link(name, to: target.name, in: target.handle), "link", header)
    }

    private mutating func applyWhiteout(base: String, parent parentComponents: [String], header: TarHeader) throws {
        if base == ".wh..wh..opq" {
            let (parent, resolved) = try resolveParent(parentComponents, entry: header.name)
            switch options.whiteoutStyle {
            case .oci:
                try clearOpaque(parent, relative: resolved.joined(separator: "/"))
            case .overlay:
                // In a user namespace overlayfs reads its markers from `user.*` xattrs (`userxattr`).
                let name = UserNamespace.isNested ? "user.overlay.opaque" : "trusted.overlay.opaque"
                let status = parent.setXattr(".", name, Array("y".utf8))
                guard status == 0 else {
                    throw ArchiveError.system("setxattr \(name)", path: header.name, errno: status)
                }
            }
            return
        }
        // Other `.wh..wh.` names are aufs bookkeeping, not deletions.
        if base.hasPrefix(".wh..wh.") { return }
        let name = String(base.dropFirst(".wh.".count))
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/") else {
            throw ArchiveError(.invalidArgument, "invalid whiteout name", path: header.name)
        }
        // With OCI whiteouts a missing parent means nothing to delete; an overlay upper
        // directory needs the parent to hold the whiteout device.
        let parent: DirectoryHandle
        let resolved: [String]
        do {
            (parent, resolved) = try resolveParent(parentComponents, entry: header.name, create: options.whiteoutStyle == .overlay)
        } catch let error as ArchiveError where error.code == .notFound && options.whiteoutStyle == .oci {
            return
        }
        let relative = (resolved + [name]).joined(separator: "/")
        // A whiteout hides lower layers only, never what its own layer adds.
        guard !added.contains(relative), !isPreserved(relative) else { return }
        if holdsPreserved(relative), let directory = try parent.directory(name) {
            try clearOpaque(directory, relative: relative)
            return
        }
        if try parent.info(name) != nil {
            parentCache.removeAll()
            try remove(name, in: parent, entry: header.name)
        }
        if options.whiteoutStyle == .overlay {
            try check(parent.makeNode(name, mode: S_IFCHR | 0o000, device: FileSystem.makeDevice(major: 0, minor: 0)), "mknod whiteout", header)
            added.insert(relative)
        }
    }

    /// Removes what lower layers left in `directory`, keeping what this layer added.
    private mutating func clearOpaque(_ directory: DirectoryHandle, relative: String) throws {
        for name in try directory.list() {
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            if isPreserved(childRelative) { continue }
            if holdsPreserved(childRelative), let child = try directory.directory(name) {
                try clearOpaque(child, relative: childRelative)
            } else if !added.contains(childRelative) {
                parentCache.removeAll()
                try remove(name, in: directory, entry: childRelative)
            } else if let child = try directory.directory(name) {
                try clearOpaque(child, relative: childRelative)
            }
        }
    }

    // MARK: - Paths

    /// Whether `relative` is a kept path or lies under one.
    private func isPreserved(_ relative: String) -> Bool {
        guard !options.preserved.isEmpty else { return false }
        return options.preserved.contains { relative == $0 || relative.hasPrefix($0 + "/") }
    }

    /// Whether a kept path lies under `relative` (the root holds them all).
    private func holdsPreserved(_ relative: String) -> Bool {
        guard !options.preserved.isEmpty else { return false }
        return relative.isEmpty || options.preserved.contains { $0.hasPrefix(relative + "/") }
    }

    /// Cleans an entry name, refusing `..` escapes with an error naming the entry.
    private static func components(_ name: String, entry: String) throws -> [String] {
        do {
            return try RootedPath.components(of: name)
        } catch let error as ArchiveError {
            throw ArchiveError(error.code, "refusing entry: \(error.message) (\"\(name)\")", path: entry)
        }
    }

    /// Opens a parent directory inside the root, creating missing directories (0755) unless
    /// `create` is false (then a missing one throws `notFound`).
    private mutating func resolveParent(
        _ components: [String], entry: String, create: Bool = true
    ) throws -> (handle: DirectoryHandle, components: [String]) {
        let key = components.joined(separator: "/")
        if let cached = parentCache[key] { return cached }
        var made: [[String]] = []
        let opened: (handle: DirectoryHandle, components: [String])
        do {
            opened = try directory.directory(key, create: create) { made.append($0) }
        } catch let error as ArchiveError where error.code == .invalidArgument {
            throw ArchiveError(.invalidArgument, "parent of the entry: \(error.message)", path: entry)
        }
        for components in made { added.insert(components.joined(separator: "/")) }
        if parentCache.count >= Self.parentCacheLimit { parentCache.removeAll() }
        parentCache[key] = opened
        return opened
    }

    private func remove(_ name: String, in parent: DirectoryHandle, entry: String) throws {
        do {
            try parent.removeAll(name)
        } catch let error as ArchiveError {
            throw ArchiveError(error.code, "cannot replace existing file", path: entry, cause: error.cause, errno: error.errno)
        }
    }

    // MARK: - Metadata

    private func setOwner(_ name: String, in parent: DirectoryHandle, _ header: TarHeader) throws {
        guard options.preserveOwnership else { return }
        try check(parent.setOwner(name, uid: header.uid, gid: header.gid), "lchown", header)
    }

    private mutating func setXattrs(_ name: String, in parent: DirectoryHandle, _ header: TarHeader) {
        for key in header.xattrs.keys.sorted() {
            let status = parent.setXattr(name, key, header.xattrs[key]!)
            guard status != 0 else { continue }
            // Best effort: security labels and xattrs the file system refuses are reported, not fatal.
            warnings.append(
                "skipped xattr \(key) on \(header.name): \(String(cString: strerror(status)))")
        }
    }

    private func check(_ status: Int32, _ operation: String, _ header: TarHeader) throws {
        guard status == 0 else { throw ArchiveError.system(operation, path: header.name) }
    }
}
