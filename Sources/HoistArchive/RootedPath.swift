#if canImport(Glibc)
    import Glibc
#endif

/// A directory treated as `/` for paths and symlinks, like a `chroot` without the chroot:
/// joining a path to it can never name anything outside it.
///
/// Resolution follows the rules of `securejoin`: symlinks met along the way are followed as
/// the contained system would see them — an absolute target is relative to the root, and `..`
/// stops at the root — by walking one component at a time with `lstat`. The result is a host
/// path whose every existing directory component is a real directory inside the root.
///
/// Lexical-only helpers (``clean(_:)``) refuse `..` that would climb above the root instead of
/// clamping it: archive entry names that try to escape are an attack, not a path to fix.
public struct RootedPath: Sendable, Hashable {
    /// The absolute, symlink-free host path of the root directory.
    public let root: String
    /// The most symlinks one resolution may follow, as Linux's `ELOOP` limit.
    static let maxSymlinks = 40

    /// Uses `root` (made absolute and symlink-free with `realpath`); throws `notFound` if it
    /// does not exist and `invalidArgument` if it is not a directory.
    public init(root: String) throws {
        guard let real = realpath(root, nil) else { throw ArchiveError.system("realpath", path: root) }
        defer { free(real) }
        let path = String(cString: real)
        guard try FileSystem.info(path)?.kind == .directory else {
            throw ArchiveError(.invalidArgument, "root is not a directory", path: root)
        }
        self.root = path
    }

    /// Cleans a relative (or absolute, meaning root-relative) path lexically: drops empty and
    /// `.` components and applies `..`. Returns the components, empty for the root itself.
    /// Throws `invalidArgument` if `..` would climb above the root or the path contains NUL.
    public static func components(of path: String) throws -> [String] {
        guard !path.utf8.contains(0) else {
            throw ArchiveError(.invalidArgument, "path contains a NUL byte", path: path)
        }
        var result: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !result.isEmpty else {
                    throw ArchiveError(.invalidArgument, "path escapes the root with \"..\"", path: path)
                }
                result.removeLast()
            default: result.append(String(part))
            }
        }
        return result
    }

    /// ``components(of:)`` joined with `/`: `"a/b"`, or `""` for the root.
    public static func clean(_ path: String) throws -> String {
        try components(of: path).joined(separator: "/")
    }

    /// The host path for `path` inside the root, following symlinks within the root (the last
    /// component too unless `followFinalSymlink` is false). Components that do not exist are
    /// kept as given, so the result may name something yet to be created.
    public func resolve(_ path: String, followFinalSymlink: Bool = true) throws -> String {
        hostPath(try resolveComponents(path, followFinalSymlink: followFinalSymlink))
    }

    /// The host path of root-relative components.
    public func hostPath(_ components: [String]) -> String {
        components.isEmpty ? root : root + "/" + components.joined(separator: "/")
    }

    /// Resolves `path` to root-relative components free of symlinks (but for a final one when
    /// `followFinalSymlink` is false). `..` in `path` itself or in link targets stops at the root.
    public func resolveComponents(_ path: String, followFinalSymlink: Bool = true) throws -> [String] {
        try Self.resolveComponents(path, followFinalSymlink: followFinalSymlink) { components in
            let candidate = hostPath(components)
            guard let info = try FileSystem.info(candidate) else { return .missing }
            return info.kind == .symbolicLink ? .symbolicLink(target: try FileSystem.readLink(candidate)) : .present
        }
    }

    /// What a tree holds at a path, as ``resolveComponents(_:followFinalSymlink:in:)`` asks it.
    public enum Lookup: Sendable, Hashable {
        case missing
        case symbolicLink(target: String)
        case present
    }

    /// Resolves `path` as ``resolveComponents(_:followFinalSymlink:)`` does, in a tree that is
    /// not on this machine's disk (a layer chain's index): `lookup` says what is at
    /// root-relative components.
    public static func resolveComponents(
        _ path: String, followFinalSymlink: Bool, in lookup: ([String]) throws -> Lookup
    ) throws -> [String] {
        guard !path.utf8.contains(0) else {
            throw ArchiveError(.invalidArgument, "path contains a NUL byte", path: path)
        }
        var resolved: [String] = []
        // Components still to walk, last one first so `popLast` takes the next.
        var pending = Self.splitReversed(path)
        var linksFollowed = 0
        var missing = false
        while let part = pending.popLast() {
            if part == "." { continue }
            if part == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                // Climbing out of a missing directory lands somewhere that exists again.
                missing = false
                continue
            }
            resolved.append(part)
            // Below a missing component nothing exists, so no symlink can redirect the rest.
            if missing { continue }
            let found = try lookup(resolved)
            if found == .missing {
                missing = true
                continue
            }
            guard case .symbolicLink(let target) = found, followFinalSymlink || !pending.isEmpty else { continue }
            linksFollowed += 1
            guard linksFollowed <= Self.maxSymlinks else {
                throw ArchiveError(.invalidArgument, "too many levels of symbolic links", path: path)
            }
            resolved.removeLast()
            if target.hasPrefix("/") { resolved.removeAll() }
            pending += Self.splitReversed(target)
        }
        return resolved
    }

    private static func splitReversed(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).reversed().map(String.init)
    }
}
