#if canImport(Glibc)
    import Glibc
#endif

/// A directory treated as `/`, walked by descriptors: the race-free counterpart of
/// ``RootedPath``, with the same rules (an absolute symlink target is relative to the root, `..`
/// stops at the root), applied one component at a time with `openat(…, O_NOFOLLOW)` from
/// descriptors this walk holds — never by handing a path string to the kernel. Something
/// changing the tree while it is walked (a container's processes) can make a walk fail or end
/// elsewhere inside the root, never outside it.
struct RootDirectory {
    /// The root, pinned.
    let handle: DirectoryHandle

    init(path: String) throws {
        handle = try DirectoryHandle.open(path: path)
    }

    init(handle: DirectoryHandle) {
        self.handle = handle
    }

    /// The directory `path` leads to and its symlink-free components, following symlinks inside
    /// the root. With `create`, missing directories are made (0755) and reported to `created`
    /// with their components; otherwise a missing one throws `notFound`. Throws
    /// `invalidArgument` when a component is not a directory or for a symlink loop.
    func directory(
        _ path: String, create: Bool = false, created: (([String]) -> Void)? = nil
    ) throws -> (handle: DirectoryHandle, components: [String]) {
        guard !path.utf8.contains(0) else {
            throw ArchiveError(.invalidArgument, "path contains a NUL byte", path: path)
        }
        var stack: [DirectoryHandle] = [handle]
        var resolved: [String] = []
        var pending = Self.splitReversed(path)
        var linksFollowed = 0
        while let part = pending.popLast() {
            if part == "." { continue }
            if part == ".." {
                if stack.count > 1 {
                    stack.removeLast()
                    resolved.removeLast()
                }
                continue
            }
            let current = stack[stack.count - 1]
            if let next = try current.directory(part) {
                stack.append(next)
                resolved.append(part)
                continue
            }
            guard let info = try current.info(part) else {
                guard create else { throw ArchiveError(.notFound, "no such directory", path: path) }
                guard current.makeDirectory(part, mode: 0o755) == 0 || errno == EEXIST else {
                    throw ArchiveError.system("mkdir", path: path)
                }
                created?(resolved + [part])
                // Looked at again: what is there now may not be what was made.
                pending.append(part)
                continue
            }
            guard info.kind == .symbolicLink else {
                throw ArchiveError(.invalidArgument, "\"\((resolved + [part]).joined(separator: "/"))\" is not a directory", path: path)
            }
            linksFollowed += 1
            guard linksFollowed <= RootedPath.maxSymlinks else {
                throw ArchiveError(.invalidArgument, "too many levels of symbolic links", path: path)
            }
            let target = try current.readLink(part)
            if target.hasPrefix("/") {
                stack.removeSubrange(1...)
                resolved.removeAll()
            }
            pending += Self.splitReversed(target)
        }
        return (stack[stack.count - 1], resolved)
    }

    /// The directory holding `path`'s last component and that component, the directories on
    /// the way resolved as ``directory(_:create:created:)`` resolves them; the last component
    /// itself is not followed. Throws `invalidArgument` for the root itself.
    func parent(
        of path: String, create: Bool = false, created: (([String]) -> Void)? = nil
    ) throws -> (handle: DirectoryHandle, components: [String], name: String) {
        let cleaned = try RootedPath.components(of: path)
        guard let name = cleaned.last else {
            throw ArchiveError(.invalidArgument, "the root has no parent", path: path)
        }
        let (parent, components) = try directory(cleaned.dropLast().joined(separator: "/"), create: create, created: created)
        return (parent, components, name)
    }

    /// The entry `path` names: its directory, its name there (`"."` for the root itself) and its
    /// root-relative components, with every symlink on the way followed inside the root — the
    /// last one too when `followFinalSymlink`. Throws `notFound` when a directory on the way
    /// is missing (the entry itself may be).
    func entry(_ path: String, followFinalSymlink: Bool) throws -> (handle: DirectoryHandle, name: String, components: [String]) {
        var path = path
        for _ in 0...RootedPath.maxSymlinks {
            guard !(try RootedPath.components(of: path)).isEmpty else { return (handle, ".", []) }
            let found = try parent(of: path)
            guard followFinalSymlink, try found.handle.info(found.name)?.kind == .symbolicLink else {
                return (found.handle, found.name, found.components + [found.name])
            }
            let target = try found.handle.readLink(found.name)
            path = target.hasPrefix("/") ? target : "/" + (found.components + [target]).joined(separator: "/")
        }
        throw ArchiveError(.invalidArgument, "too many levels of symbolic links", path: path)
    }

    private static func splitReversed(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).reversed().map(String.init)
    }
}
