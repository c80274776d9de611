#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive

/// Docker's rules for `COPY`/`ADD` sources and destinations, applied to real directories:
/// wildcards, a directory source copies its contents, a trailing `/` or several sources make
/// the destination a directory, parents are created, and ownership and mode are set as asked.
///
/// Sources are read inside `sourceRoot` and written inside `destinationRoot`, both confined with
/// ``RootedPath`` so neither a source pattern nor a symlink in either tree reaches outside.
struct CopySemantics {
    let sourceRoot: RootedPath
    let destinationRoot: RootedPath
    /// Whether a source-relative path is left out (`.dockerignore`, `--exclude`).
    let isExcluded: (String) -> Bool
    /// Ownership for copied entries; nil keeps the source's (COPY --from), which for the build
    /// context means root, as Docker sends context files.
    let owner: (uid: UInt32, gid: UInt32)?
    /// Permission bits for copied entries (`--chmod`); nil keeps the source's.
    let mode: UInt32?

    /// Copies `sources` to `destination` (absolute inside the destination root).
    func copy(sources: [String], to destination: String, keepParents: Bool) throws {
        var matches: [String] = []
        for source in sources {
            let found = try expand(source)
            guard !found.isEmpty else {
                throw BuildError(.notFound, "COPY source \"\(source)\" not found in the build context")
            }
            matches += found
        }
        let destinationExists = try destinationRoot.resolveComponents(destination)
        let destinationHost = destinationRoot.hostPath(destinationExists)
        let destinationIsDirectory = destination.hasSuffix("/") || isDirectory(destinationHost)
        if matches.count > 1 && !destinationIsDirectory {
            throw BuildError(
                .invalidArgument,
                "when using COPY with more than one source file, the destination must be a directory and end with a / (got \"\(destination)\")")
        }
        for match in matches {
            let sourceHost = try sourceRoot.resolve(match)
            var info = stat()
            guard stat(sourceHost, &info) == 0 else {
                throw BuildError(.notFound, "COPY source \"\(match)\" not found in the build context")
            }
            let isDirectorySource = info.st_mode & S_IFMT == S_IFDIR
            var target = destination
            if keepParents {
                let parent = (match as NSString).deletingLastPathComponent
                target = (destination as NSString).appendingPathComponent(isDirectorySource ? match : parent)
                if !isDirectorySource { target += "/" }
            }
            if isDirectorySource {
                let directory = try makeDirectories(target)
                try copyChildren(of: sourceHost, relative: match, into: directory)
            } else if target.hasSuffix("/") || destinationIsDirectory {
                let directory = try makeDirectories(target)
                try copyEntry(sourceHost, relative: match, to: directory + "/" + (match as NSString).lastPathComponent,
                              followLink: true)
            } else {
                let parent = try makeDirectories((target as NSString).deletingLastPathComponent)
                try copyEntry(sourceHost, relative: match, to: parent + "/" + (target as NSString).lastPathComponent,
                              followLink: true)
            }
        }
    }

    /// The source paths a pattern names, relative to the source root, sorted; a pattern without
    /// wildcards names itself when it exists.
    func expand(_ pattern: String) throws -> [String] {
        let components = try RootedPath.components(of: pattern)
        var candidates = [[String]()]
        for component in components {
            var next: [[String]] = []
            for prefix in candidates {
                if component.contains(where: { "*?[".contains($0) }) {
                    let directory = try sourceRoot.resolve(prefix.joined(separator: "/"))
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                    for name in names.sorted() where fnmatch(component, name, FNM_PATHNAME | FNM_PERIOD) == 0 {
                        next.append(prefix + [name])
                    }
                } else {
                    next.append(prefix + [component])
                }
            }
            candidates = next
        }
        return candidates.map { $0.joined(separator: "/") }.filter { path in
            var info = stat()
            return lstat(sourceRoot.hostPath(path.isEmpty ? [] : path.split(separator: "/").map(String.init)), &info) == 0
                && (path.isEmpty || !isExcluded(path))
        }
    }

    // MARK: Copying

    private func copyChildren(of directory: String, relative: String, into destination: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names {
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            if isExcluded(childRelative) {
                // An excluded directory may still hold re-included files (`!` patterns) deeper down.
                if isDirectory(directory + "/" + name) {
                    try copyChildrenIfAnyIncluded(of: directory + "/" + name, relative: childRelative, into: destination + "/" + name)
                }
                continue
            }
            try copyEntry(directory + "/" + name, relative: childRelative, to: destination + "/" + name, followLink: false)
        }
    }

    private func copyChildrenIfAnyIncluded(of directory: String, relative: String, into destination: String) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        for name in names.sorted() {
            let childRelative = relative + "/" + name
            let child = directory + "/" + name
            if !isExcluded(childRelative) {
                let parent = try makeDirectoriesHost(destination)
                try copyEntry(child, relative: childRelative, to: parent + "/" + name, followLink: false)
            } else if isDirectory(child) {
                try copyChildrenIfAnyIncluded(of: child, relative: childRelative, into: destination + "/" + name)
            }
        }
    }

    private func copyEntry(_ source: String, relative: String, to destination: String, followLink: Bool) throws {
        var info = stat()
        guard (followLink ? stat(source, &info) : lstat(source, &info)) == 0 else {
            throw BuildError(.notFound, "cannot read \(relative): \(String(cString: strerror(errno)))")
        }
        let uid = owner?.uid ?? info.st_uid
        let gid = owner?.gid ?? info.st_gid
        let permissions = mode ?? (UInt32(info.st_mode) & 0o7777)
        var existing = stat()
        let exists = lstat(destination, &existing) == 0
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            if exists && existing.st_mode & S_IFMT != S_IFDIR { try removeTree(destination) }
            if !exists || existing.st_mode & S_IFMT != S_IFDIR {
                try check(mkdir(destination, 0o700), "mkdir", destination)
            }
            try copyChildren(of: source, relative: relative, into: destination)
            try check(lchown(destination, uid, gid), "chown", destination)
            try check(chmod(destination, mode_t(permissions)), "chmod", destination)
        case S_IFLNK:
            if exists { try removeTree(destination) }
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: source)
            try check(symlink(target, destination), "symlink", destination)
            try check(lchown(destination, uid, gid), "chown", destination)
        case S_IFREG:
            if exists { try removeTree(destination) }
            try copyFile(source, to: destination)
            try check(lchown(destination, uid, gid), "chown", destination)
            try check(chmod(destination, mode_t(permissions)), "chmod", destination)
        default:
            // Devices, FIFOs and sockets are not copied by COPY.
            return
        }
        var times = [info.st_atim, info.st_mtim]
        _ = utimensat(AT_FDCWD, destination, &times, AT_SYMLINK_NOFOLLOW)
    }

    private func copyFile(_ source: String, to destination: String) throws {
        var input = try FileByteSource(path: source)
        let output = try FileByteSink(path: destination, permissions: 0o600)
        var sink = output
        try input.copy(to: &sink)
        try output.close()
    }

    /// Creates `path` (absolute inside the destination root) and its missing parents as root-owned
    /// 0755 directories, returning its host path.
    private func makeDirectories(_ path: String) throws -> String {
        let components = try destinationRoot.resolveComponents(path)
        var current: [String] = []
        for component in components {
            current.append(component)
            let host = destinationRoot.hostPath(current)
            var info = stat()
            if lstat(host, &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFDIR else {
                    throw BuildError(.failedPrecondition, "cannot copy to \(path): /\(current.joined(separator: "/")) is not a directory")
                }
                continue
            }
            try check(mkdir(host, 0o755), "mkdir", host)
            if let owner { try check(lchown(host, owner.uid, owner.gid), "chown", host) }
        }
        return destinationRoot.hostPath(components)
    }

    private func makeDirectoriesHost(_ host: String) throws -> String {
        let relative = String(host.dropFirst(destinationRoot.root.count))
        return try makeDirectories(relative.isEmpty ? "/" : relative)
    }

    private func isDirectory(_ host: String) -> Bool {
        var info = stat()
        return stat(host, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private func removeTree(_ path: String) throws {
        try FileManager.default.removeItem(atPath: path)
    }

    private func check(_ result: Int32, _ what: String, _ path: String) throws {
        guard result == 0 else {
            throw BuildError(.internal, "\(what) \(path): \(String(cString: strerror(errno)))")
        }
    }
}
