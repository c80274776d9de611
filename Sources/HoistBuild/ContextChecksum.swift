#if canImport(Glibc)
    import Glibc
#endif
import Dispatch
import Foundation
import HoistArchive
import HoistOCI
import HoistStore

/// The content digest of exactly the files a step reads from a local directory: paths, types,
/// permission bits, link targets and contents — not owners or times, which Docker's context
/// transfer does not keep either.
///
/// File contents are hashed once per (path, size, mtime, inode): the store's stat cache keeps
/// the digest, so an unchanged context costs a `stat` per file, not a read. The walk (a stat per
/// file) runs on every core while the stat cache is read; the description is then hashed in
/// the walk's order, so the digest does not depend on how the work was split.
struct ContextChecksum {
    let store: Store
    let root: RootedPath
    /// Paths left out of the directory (relative to it: `.dockerignore`).
    let isExcluded: (String) -> Bool
    /// Paths under each source left out (relative to the source: `COPY --exclude`).
    var isExcludedUnderSource: (String) -> Bool = { _ in false }

    /// One line of the description; files get theirs once their content digest is known.
    private enum Entry {
        case line(String)
        case file(relative: String, host: String, permissions: String, size: Int64, modified: Int64, inode: Int64)
    }

    func digest(of patterns: [String]) throws -> Digest {
        // The stat cache is read on another thread while this one starts walking.
        let cacheRead = DispatchGroup()
        nonisolated(unsafe) var cachedResult: Result<[String: StatCacheEntry], any Error> = .success([:])
        DispatchQueue.global().async(group: cacheRead) { [store, root] in
            cachedResult = Result { try store.cachedFileDigests(under: root.root) }
        }
        let semantics = CopySemantics(sourceRoot: root, destination: DirectoryDestination(root: root), isExcluded: isExcluded, owner: nil, mode: nil)
        var entries: [Entry] = []
        var walkError: (any Error)?
        do {
            for pattern in patterns {
                entries.append(.line("pattern \(pattern)\n"))
                for match in try semantics.expand(pattern) {
                    // A match may pass through symlinks, resolved within the root; what is below it is
                    // walked as it is on disk.
                    let host = try root.resolve(match, followFinalSymlink: true)
                    try walk(match, host: host, source: match, followLink: true, parallel: true, into: &entries)
                }
            }
        } catch {
            walkError = error
        }
        cacheRead.wait()
        if let walkError { throw walkError }
        let cached = try cachedResult.get()

        var hasher = DigestHasher()
        var remembered: [(path: String, size: Int64, modified: Int64, inode: Int64, digest: Digest)] = []
        for entry in entries {
            switch entry {
            case .line(let line):
                Self.update(&hasher, line)
            case .file(let relative, let host, let permissions, let size, let modified, let inode):
                let content: String
                if let known = cached[host], known.size == size, known.modified == modified, known.inode == inode {
                    content = known.digest
                } else {
                    var source = DigestingSource(try FileByteSource(path: host))
                    try source.drain()
                    content = source.digest.description
                    remembered.append((host, size, modified, inode, source.digest))
                }
                Self.update(&hasher, "file \(relative) \(permissions) \(content)\n")
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

    /// Describes the entry `relative` (at `host`) and everything below it into `entries`. An
    /// entry of a directory being walked is looked at through the directory's descriptor
    /// (`parent`), not by its whole path again: a context of ten thousand files is ten thousand
    /// short lookups. With `parallel`, the first directory's entries are walked on every core.
    private func walk(_ relative: String, host: String, source: String, parent: (descriptor: Int32, name: String)? = nil,
                      followLink: Bool, parallel: Bool, into entries: inout [Entry]) throws {
        var info = stat()
        let found = if let parent {
            fstatat(parent.descriptor, parent.name, &info, AT_SYMLINK_NOFOLLOW) == 0
        } else {
            (followLink ? stat(host, &info) : lstat(host, &info)) == 0
        }
        guard found else {
            entries.append(.line("missing \(relative)\n"))
            return
        }
        let permissions = String(UInt32(info.st_mode) & 0o7777, radix: 8)
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            entries.append(.line("dir \(relative) \(permissions)\n"))
            let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (parent == nil ? 0 : O_NOFOLLOW)
            let directory = parent.map { openat($0.descriptor, $0.name, flags) } ?? open(host, flags)
            guard directory >= 0 else {
                throw BuildError(.failedPrecondition, "cannot read the directory \(host): \(String(cString: strerror(errno)))")
            }
            defer { close(directory) }
            let names = try Self.entries(of: directory, at: host).sorted()
            func child(_ name: String, into entries: inout [Entry]) throws {
                let child = relative.isEmpty || relative == "." ? name : relative + "/" + name
                // Excluded directories may hold re-included files, so they are walked too.
                let underSource = source.isEmpty || source == "." ? child : String(child.dropFirst(source.count + 1))
                if isExcluded(child) || isExcludedUnderSource(underSource) {
                    var childInfo = stat()
                    guard fstatat(directory, name, &childInfo, AT_SYMLINK_NOFOLLOW) == 0, childInfo.st_mode & S_IFMT == S_IFDIR else {
                        return
                    }
                }
                // An entry is not followed if it is a symlink, and its parents are real directories.
                try walk(child, host: host + "/" + name, source: source, parent: (directory, name), followLink: false, parallel: !spread,
                         into: &entries)
            }
            // A directory of a few entries passes the parallel walk down to them (`COPY . /app`
            // of a context with one big folder); the first with more spreads its entries.
            let spread = parallel && names.count >= 8
            guard spread else {
                for name in names { try child(name, into: &entries) }
                return
            }
            // Each name's subtree into a slot of its own, joined in order afterwards.
            var parts = [Result<[Entry], any Error>](repeating: .success([]), count: names.count)
            // Safe: each slot is written by one iteration only; the walk reads nothing shared
            // but the directory's descriptor and the (pure) exclusion test.
            nonisolated(unsafe) let walkChild: (String, inout [Entry]) throws -> Void = child
            parts.withUnsafeMutableBufferPointer { slots in
                nonisolated(unsafe) let slots = slots
                DispatchQueue.concurrentPerform(iterations: names.count) { index in
                    slots[index] = Result {
                        var part: [Entry] = []
                        try walkChild(names[index], &part)
                        return part
                    }
                }
            }
            for part in parts { entries += try part.get() }
        case S_IFLNK:
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: host)) ?? ""
            entries.append(.line("link \(relative) -> \(target)\n"))
        case S_IFREG:
            entries.append(.file(
                relative: relative, host: host, permissions: permissions, size: Int64(info.st_size),
                modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                inode: Int64(bitPattern: UInt64(info.st_ino))))
        default:
            entries.append(.line("special \(relative) \(permissions)\n"))
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
