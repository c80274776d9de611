#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive
import HoistOCI
import HoistStore

/// The content digest of exactly the files a step reads from a local directory: paths, types,
/// permission bits, link targets and contents — not owners or times, which Docker's context
/// transfer does not keep either.
///
/// File contents are hashed once per (path, size, mtime, inode): the store's stat cache keeps
/// the digest, so an unchanged context costs a `stat` per file, not a read.
struct ContextChecksum {
    let store: Store
    let root: RootedPath
    let isExcluded: (String) -> Bool

    func digest(of patterns: [String]) throws -> Digest {
        let cached = try store.cachedFileDigests(under: root.root)
        let semantics = CopySemantics(sourceRoot: root, destinationRoot: root, isExcluded: isExcluded, owner: nil, mode: nil)
        var hasher = DigestHasher()
        var remembered: [(path: String, size: Int64, modified: Int64, inode: Int64, digest: Digest)] = []
        for pattern in patterns {
            Self.update(&hasher, "pattern \(pattern)\n")
            for match in try semantics.expand(pattern) {
                // A match may pass through symlinks, resolved within the root; what is below it is
                // walked as it is on disk.
                let host = try root.resolve(match, followFinalSymlink: true)
                try add(match, host: host, followLink: true, cached: cached, to: &hasher, remembered: &remembered)
            }
        }
        try store.rememberFileDigests(remembered)
        return hasher.finalize()
    }

    /// Hashes one line of the description without making `Data` of it: a context has a line per file.
    private static func update(_ hasher: inout DigestHasher, _ line: String) {
        var line = line
        line.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
    }

    /// Adds the entry `relative` (at `host`) and everything below it. An entry of a directory
    /// being walked is looked at through the directory's descriptor (`parent`), not by its whole
    /// path again: a context of ten thousand files is ten thousand short lookups.
    private func add(_ relative: String, host: String, parent: (descriptor: Int32, name: String)? = nil, followLink: Bool,
                     cached: [String: (size: Int64, modified: Int64, inode: Int64, digest: Digest)], to hasher: inout DigestHasher,
                     remembered: inout [(path: String, size: Int64, modified: Int64, inode: Int64, digest: Digest)]) throws {
        var info = stat()
        let found = if let parent {
            fstatat(parent.descriptor, parent.name, &info, AT_SYMLINK_NOFOLLOW) == 0
        } else {
            (followLink ? stat(host, &info) : lstat(host, &info)) == 0
        }
        guard found else {
            Self.update(&hasher, "missing \(relative)\n")
            return
        }
        let permissions = String(UInt32(info.st_mode) & 0o7777, radix: 8)
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            Self.update(&hasher, "dir \(relative) \(permissions)\n")
            let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (parent == nil ? 0 : O_NOFOLLOW)
            let directory = parent.map { openat($0.descriptor, $0.name, flags) } ?? open(host, flags)
            guard directory >= 0 else {
                throw BuildError(.failedPrecondition, "cannot read the directory \(host): \(String(cString: strerror(errno)))")
            }
            defer { close(directory) }
            for name in try Self.entries(of: directory, at: host).sorted() {
                let child = relative.isEmpty || relative == "." ? name : relative + "/" + name
                // Excluded directories may hold re-included files, so they are walked too.
                if isExcluded(child) {
                    var childInfo = stat()
                    guard fstatat(directory, name, &childInfo, AT_SYMLINK_NOFOLLOW) == 0, childInfo.st_mode & S_IFMT == S_IFDIR else {
                        continue
                    }
                }
                // An entry is not followed if it is a symlink, and its parents are real directories.
                try add(child, host: host + "/" + name, parent: (directory, name), followLink: false, cached: cached, to: &hasher,
                        remembered: &remembered)
            }
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: host)) ?? ""
            Self.update(&hasher, "link \(relative) -> \(target)\n")
        case S_IFREG:
            let size = Int64(info.st_size)
            let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            let inode = Int64(bitPattern: UInt64(info.st_ino))
            let content: Digest
            if let known = cached[host], known.size == size, known.modified == modified, known.inode == inode {
                content = known.digest
            } else {
                var source = DigestingSource(try FileByteSource(path: host))
                try source.drain()
                content = source.digest
                remembered.append((host, size, modified, inode, content))
            }
            Self.update(&hasher, "file \(relative) \(permissions) \(content)\n")
        default:
            Self.update(&hasher, "special \(relative) \(permissions)\n")
        }
    }

    /// The names in the open directory `descriptor` (but `.` and `..`), unsorted.
    private static func entries(of descriptor: Int32, at host: String) throws -> [String] {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw BuildError(.failedPrecondition, "cannot read the directory \(host): \(String(cString: strerror(errno)))")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(cString: bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
