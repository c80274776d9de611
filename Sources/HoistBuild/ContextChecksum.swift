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
            hasher.update(Data("pattern \(pattern)\n".utf8))
            for match in try semantics.expand(pattern) {
                try add(match, followLink: true, cached: cached, to: &hasher, remembered: &remembered)
            }
        }
        try store.rememberFileDigests(remembered)
        return hasher.finalize()
    }

    private func add(_ relative: String, followLink: Bool,
                     cached: [String: (size: Int64, modified: Int64, inode: Int64, digest: Digest)], to hasher: inout DigestHasher,
                     remembered: inout [(path: String, size: Int64, modified: Int64, inode: Int64, digest: Digest)]) throws {
        let host = try root.resolve(relative, followFinalSymlink: followLink)
        var info = stat()
        guard (followLink ? stat(host, &info) : lstat(host, &info)) == 0 else {
            hasher.update(Data("missing \(relative)\n".utf8))
            return
        }
        let permissions = String(UInt32(info.st_mode) & 0o7777, radix: 8)
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            hasher.update(Data("dir \(relative) \(permissions)\n".utf8))
            for name in try FileManager.default.contentsOfDirectory(atPath: host).sorted() {
                let child = relative.isEmpty || relative == "." ? name : relative + "/" + name
                // Excluded directories may hold re-included files, so they are walked too.
                if isExcluded(child), !isDirectory(host + "/" + name) { continue }
                try add(child, followLink: false, cached: cached, to: &hasher, remembered: &remembered)
            }
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: host)) ?? ""
            hasher.update(Data("link \(relative) -> \(target)\n".utf8))
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
            hasher.update(Data("file \(relative) \(permissions) \(content)\n".utf8))
        default:
            hasher.update(Data("special \(relative) \(permissions)\n".utf8))
        }
    }

    private func isDirectory(_ host: String) -> Bool {
        var info = stat()
        return lstat(host, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }
}
