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

        /// `preserveOwnership` and `createDevices` default to whether the process runs as root.
        public init(
            whiteoutStyle: WhiteoutStyle = .oci, preserveOwnership: Bool? = nil, createDevices: Bool? = nil,
            expectedDiffID: Digest? = nil, expectedDigest: Digest? = nil
        ) {
            let isRoot = geteuid() == 0
            self.whiteoutStyle = whiteoutStyle
            self.preserveOwnership = preserveOwnership ?? isRoot
            self.createDevices = createDevices ?? isRoot
            self.expectedDiffID = expectedDiffID
            self.expectedDigest = expectedDigest
        }
    }

    /// The directory layers are applied onto.
    public let root: RootedPath
    /// The choices in effect.
    public var options: Options

    /// Applies onto `root`, which must be an existing directory.
    public init(root: String, options: Options = Options()) throws {
        self.root = try RootedPath(root: root)
        self.options = options
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
        var session = ApplySession(root: root, options: options)
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
private struct ApplySession {
    let root: RootedPath
    let options: LayerApplier.Options
    var warnings: [String] = []
    /// Root-relative resolved paths this layer created.
    private var added: Set<String> = []
    /// Directories to finish (mode, mtime) after everything else, in creation order.
    private var directories: [(path: String, header: TarHeader)] = []
    /// Lexical parent path → resolved components; cleared whenever a directory or symlink is
    /// removed or replaced, since that can change where a path leads.
    private var parentCache: [String: [String]] = [:]
    private let copyBuffer = ByteBuffer(capacity: 1 << 20)

    init(root: RootedPath, options: LayerApplier.Options) {
        self.root = root
        self.options = options
    }

    mutating func apply<S: ByteSource>(_ header: TarHeader, contents: inout TarReader<S>) throws {
        let components = try Self.components(header.name, entry: header.name)
        guard let base = components.last else {
            // The root itself ("./"): only its metadata can change.
            guard header.type == .directory else {
                throw ArchiveError(.invalidArgument, "the root of a layer must be a directory", path: header.name)
            }
            directories.append((root.root, header))
            return
        }
        let parentComponents = Array(components.dropLast())

        if base.hasPrefix(".wh.") {
            try applyWhiteout(base: base, parent: parentComponents, header: header)
            return
        }

        let parent = try resolveParent(parentComponents, entry: header.name)
        let relative = (parent + [base]).joined(separator: "/")
        let path = root.hostPath(parent + [base])

        if let existing = try FileSystem.info(path) {
            if existing.kind == .directory && header.type == .directory {
                // Merge into the existing directory; its metadata is updated below.
            } else {
                if existing.kind == .directory || existing.kind == .symbolicLink { parentCache.removeAll() }
                try remove(path, entry: header.name)
            }
        }

        switch header.type {
        case .regular:
            try writeFile(header, at: path, contents: &contents)
        case .directory:
            if try FileSystem.info(path) == nil {
                try check(mkdir(path, 0o700), "mkdir", header)
            }
            try setOwner(path, header)
            try setXattrs(path, header)
            directories.append((path, header))
        case .symbolicLink:
            try check(symlink(header.linkName, path), "symlink", header)
            try setOwner(path, header)
            try setXattrs(path, header)
            try setTimes(path, header)
        case .hardLink:
            try link(header, at: path)
        case .characterDevice, .blockDevice, .fifo:
            if header.type != .fifo && !options.createDevices {
                warnings.append("skipped device node \(header.name) (\(header.deviceMajor):\(header.deviceMinor))")
                return
            }
            let kind = header.type == .fifo ? S_IFIFO : (header.type == .characterDevice ? S_IFCHR : S_IFBLK)
            let device = FileSystem.makeDevice(major: header.deviceMajor, minor: header.deviceMinor)
            try check(mknod(path, kind | 0o600, device), "mknod", header)
            try setOwner(path, header)
            try check(chmod(path, mode_t(header.mode)), "chmod", header)
            try setXattrs(path, header)
            try setTimes(path, header)
        }
        added.insert(relative)
    }

    /// Gives directories their final mode and mtime, deepest last-created first.
    mutating func finish() throws {
        for (path, header) in directories.reversed() {
            guard try FileSystem.info(path)?.kind == .directory else { continue }
            try check(chmod(path, mode_t(header.mode)), "chmod", header)
            try setTimes(path, header)
        }
    }

    // MARK: - Entries

    private mutating func writeFile<S: ByteSource>(_ header: TarHeader, at path: String, contents: inout TarReader<S>) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
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
            try check(fchown(fd, uid_t(header.uid), gid_t(header.gid)), "chown", header)
        }
        // After chown, which clears setuid/setgid.
        try check(fchmod(fd, mode_t(header.mode)), "chmod", header)
        try setXattrs(path, header)
        try setTimes(path, header)
    }

    private mutating func link(_ header: TarHeader, at path: String) throws {
        let targetComponents = try Self.components(header.linkName, entry: header.name)
        guard !targetComponents.isEmpty else {
            throw ArchiveError(.invalidArgument, "hard link to the root directory", path: header.name)
        }
        let target = root.hostPath(try root.resolveComponents(header.linkName, followFinalSymlink: false))
        guard let info = try FileSystem.info(target) else {
            throw ArchiveError(
                .invalidArgument, "hard link target \"\(header.linkName)\" does not exist inside the root", path: header.name)
        }
        guard info.kind != .directory else {
            throw ArchiveError(.invalidArgument, "hard link to a directory \"\(header.linkName)\"", path: header.name)
        }
        // Flags 0: a final symlink is linked itself, not followed.
        try check(linkat(AT_FDCWD, target, AT_FDCWD, path, 0), "link", header)
    }

    private mutating func applyWhiteout(base: String, parent parentComponents: [String], header: TarHeader) throws {
        if base == ".wh..wh..opq" {
            let parent = try resolveParent(parentComponents, entry: header.name)
            let directory = root.hostPath(parent)
            switch options.whiteoutStyle {
            case .oci:
                try clearOpaque(directory, relative: parent.joined(separator: "/"))
            case .overlay:
                let status = FileSystem.setXattr(directory, "trusted.overlay.opaque", Array("y".utf8))
                guard status == 0 else {
                    throw ArchiveError.system("setxattr trusted.overlay.opaque", path: header.name, errno: status)
                }
            }
            return
        }
        // Other `.wh..wh.` names are aufs bookkeeping, not deletions.
        if base.hasPrefix(".wh..wh.") { return }
        let name = String(base.dropFirst(".wh.".count))
        guard !name.isEmpty, name != ".", name != ".." else {
            throw ArchiveError(.invalidArgument, "invalid whiteout name", path: header.name)
        }
        // With OCI whiteouts a missing parent means nothing to delete; an overlay upper
        // directory needs the parent to hold the whiteout device.
        let parent = try resolveParent(parentComponents, entry: header.name, create: options.whiteoutStyle == .overlay)
        let relative = (parent + [name]).joined(separator: "/")
        let path = root.hostPath(parent + [name])
        // A whiteout hides lower layers only, never what its own layer adds.
        guard !added.contains(relative) else { return }
        switch options.whiteoutStyle {
        case .oci:
            if try FileSystem.info(path) != nil {
                parentCache.removeAll()
                try remove(path, entry: header.name)
            }
        case .overlay:
            if try FileSystem.info(path) != nil {
                parentCache.removeAll()
                try remove(path, entry: header.name)
            }
            try check(mknod(path, S_IFCHR | 0o000, FileSystem.makeDevice(major: 0, minor: 0)), "mknod whiteout", header)
            added.insert(relative)
        }
    }

    /// Removes what lower layers left in `directory`, keeping what this layer added.
    private mutating func clearOpaque(_ directory: String, relative: String) throws {
        guard try FileSystem.info(directory)?.kind == .directory else { return }
        for name in try FileSystem.list(directory) {
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            let child = directory + "/" + name
            if !added.contains(childRelative) {
                parentCache.removeAll()
                try remove(child, entry: childRelative)
            } else if try FileSystem.info(child)?.kind == .directory {
                try clearOpaque(child, relative: childRelative)
            }
        }
    }

    // MARK: - Paths

    /// Cleans an entry name, refusing `..` escapes with an error naming the entry.
    private static func components(_ name: String, entry: String) throws -> [String] {
        do {
            return try RootedPath.components(of: name)
        } catch let error as ArchiveError {
            throw ArchiveError(error.code, "refusing entry: \(error.message) (\"\(name)\")", path: entry)
        }
    }

    /// Resolves a parent directory inside the root, creating missing directories (0755).
    private mutating func resolveParent(_ components: [String], entry: String, create: Bool = true) throws -> [String] {
        let key = components.joined(separator: "/")
        if let cached = parentCache[key] { return cached }
        let resolved = try root.resolveComponents(key)
        guard create else { return resolved }
        for depth in 1...max(1, resolved.count) where !resolved.isEmpty {
            let prefix = Array(resolved[..<depth])
            let path = root.hostPath(prefix)
            if let info = try FileSystem.info(path) {
                guard info.kind == .directory else {
                    throw ArchiveError(.invalidArgument, "parent \"\(prefix.joined(separator: "/"))\" is not a directory", path: entry)
                }
                continue
            }
            guard mkdir(path, 0o755) == 0 else { throw ArchiveError.system("mkdir", path: entry) }
            added.insert(prefix.joined(separator: "/"))
        }
        parentCache[key] = resolved
        return resolved
    }

    private func remove(_ path: String, entry: String) throws {
        do {
            try FileSystem.removeAll(path)
        } catch let error as ArchiveError {
            throw ArchiveError(error.code, "cannot replace existing file", path: entry, cause: error.cause, errno: error.errno)
        }
    }

    // MARK: - Metadata

    private func setOwner(_ path: String, _ header: TarHeader) throws {
        guard options.preserveOwnership else { return }
        try check(lchown(path, uid_t(header.uid), gid_t(header.gid)), "lchown", header)
    }

    private mutating func setXattrs(_ path: String, _ header: TarHeader) throws {
        for name in header.xattrs.keys.sorted() {
            let status = FileSystem.setXattr(path, name, header.xattrs[name]!)
            guard status != 0 else { continue }
            // Best effort: security labels and xattrs the file system refuses are reported, not fatal.
            warnings.append(
                "skipped xattr \(name) on \(header.name): \(String(cString: strerror(status)))")
        }
    }

    private func setTimes(_ path: String, _ header: TarHeader) throws {
        let time = timespec(tv_sec: Int(header.modificationTime.seconds), tv_nsec: Int(header.modificationTime.nanoseconds))
        let times = [time, time]
        try check(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), "utimensat", header)
    }

    private func check(_ status: Int32, _ operation: String, _ header: TarHeader) throws {
        guard status == 0 else { throw ArchiveError.system(operation, path: header.name) }
    }
}
