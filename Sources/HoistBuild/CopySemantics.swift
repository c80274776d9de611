#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive

/// Docker's rules for `COPY`/`ADD` sources and destinations, applied to real directories, as
/// BuildKit applies them: wildcards (Go's `filepath.Match`, so `*` matches a leading dot too; a
/// wildcard matching nothing copies nothing), a directory source copies its contents, a
/// trailing `/` or several sources make the destination a directory, parents are created,
/// hard links within a source stay links, extended attributes are kept, and ownership and mode
/// are set as asked.
///
/// Sources are read inside `sourceRoot`, confined with ``RootedPath``, and written to
/// `destination` (a directory of this machine, or a tar for a daemon), whose paths are resolved
/// inside it, so neither a source pattern nor a symlink in either tree reaches outside.
struct CopySemantics {
    let sourceRoot: RootedPath
    let destination: any CopyDestination
    /// Whether a path of the source tree, relative to its root, was left out of it (the build
    /// context's `.dockerignore`). A directory left out that holds paths kept by `!` exceptions
    /// is there all the same, with only those: BuildKit sends it as their parent.
    let isExcluded: (String) -> Bool
    /// Whether a path under a copied source, relative to that source, is left out
    /// (`COPY --exclude`). The source itself never is.
    var isExcludedUnderSource: (String) -> Bool = { _ in false }
    /// Compiles the include pattern of `COPY --parents` (Docker's path matcher: a path is
    /// included when the pattern matches it or a directory above it).
    var includeMatcher: ([String]) throws -> (String) -> Bool = { _ in { _ in true } }
    /// Ownership for copied entries; nil keeps the source's (COPY --from), which for the build
    /// context means root, as Docker sends context files.
    let owner: (uid: UInt32, gid: UInt32)?
    /// Permissions for copied entries (`--chmod`); nil keeps the source's. Octal bits are
    /// also those of the directories the copy creates, as in BuildKit.
    let mode: ModeChange?
    /// The owner, type and extended attributes a source file has where this machine's copy of
    /// it cannot have them (a tree fetched from a daemon by a user who is not root), by host
    /// path; nil takes each file's own.
    var sourceAttributes: ((String) -> SourceAttributes?)?

    /// What a source file is in its own tree, where that differs from this machine's copy.
    struct SourceAttributes: Sendable {
        var uid: UInt32
        var gid: UInt32
        /// Type and permission bits, as `st_mode`.
        var mode: UInt32
        var device: dev_t
        var extendedAttributes: [String: [UInt8]]
    }

    /// One resolved source: a path of the source tree and, for `--parents`, which paths under
    /// it are copied (relative to it).
    struct Source {
        var path: String
        var include: ((String) -> Bool)?
    }

    /// Copies `sources` to `destination` (absolute inside the destination root).
    func copy(sources: [String], to destination: String, keepParents: Bool) throws {
        let resolved = try sources.map { try resolve($0, keepParents: keepParents) }
        let resolvedDestination = try self.destination.resolveComponents(destination, followFinalSymlink: true)
        let destinationIsDirectory = destination.hasSuffix("/") || self.destination.node(at: resolvedDestination)?.isDirectory == true
        let count = resolved.reduce(0) { $0 + $1.count }
        if count > 1 && !destinationIsDirectory && !keepParents {
            throw BuildError(
                .invalidArgument,
                "when using COPY with more than one source file, the destination must be a directory and end with a / (got \"\(destination)\")")
        }
        for match in resolved.joined() {
            // Hard links are kept among the files of one source path, as BuildKit's copier keeps
            // them: it copies each wildcard match on its own, so links across matches are not.
            var links = HardLinks()
            try copy(match, to: destination, destinationIsDirectory: destinationIsDirectory, links: &links)
        }
    }

    /// What one source names: for a pattern with wildcards its matches (maybe none), otherwise
    /// the path itself, which must be there. With `keepParents`, the part before a `/./` (or
    /// the root) is what is copied, and the rest selects the paths under it.
    func resolve(_ pattern: String, keepParents: Bool) throws -> [Source] {
        guard keepParents else {
            return try expand(pattern).map { Source(path: $0) }
        }
        let (pivot, selection) = Self.splitParents(pattern)
        let include = try selection.map { try includeMatcher([$0]) }
        if !WildcardPattern.containsWildcards(pivot) && !WildcardPattern.containsWildcards(selection ?? "") {
            let required = pivot + "/" + (selection ?? "")
            guard try !expand(required).isEmpty else {
                throw Self.notFound(pattern)
            }
        }
        return try expand(pivot).map { Source(path: $0, include: include) }
    }

    /// A source that is not there, named as BuildKit names it (from the root of what it is
    /// copied from: the build context, a stage, an image).
    static func notFound(_ path: String) -> BuildError {
        let cleaned = "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        return BuildError(.notFound, "COPY source \"\(cleaned)\": not found")
    }

    /// A `--parents` source split at its `/./`: the directory copied, and the pattern (relative
    /// to it, cleaned) that selects what is copied; nil selects everything.
    static func splitParents(_ source: String) -> (pivot: String, selection: String?) {
        var pivot = "/"
        var selection = source
        if let range = source.range(of: "/./") {
            pivot = String(source[..<range.lowerBound])
            selection = String(source[range.upperBound...])
        }
        let cleaned = selection.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
        return (pivot.isEmpty ? "/" : pivot, cleaned.isEmpty ? nil : cleaned)
    }

    /// The part of a `--parents` source whose files a copy can read, for its cache key: up to
    /// the first component `**` appears in (the matcher's any-depth wildcard), otherwise all.
    static func pathRead(byParentsSource source: String) -> String {
        let (pivot, selection) = splitParents(source)
        guard let selection else { return pivot }
        let fixed = selection.split(separator: "/").prefix { !$0.contains("**") }
        let components = (pivot.split(separator: "/") + fixed).filter { $0 != "." }
        return components.isEmpty ? "/" : components.joined(separator: "/")
    }

    /// The source paths a pattern names, relative to the source root, sorted. A pattern
    /// without wildcards names itself when it is there (and is not found otherwise); one with
    /// wildcards names what it matches, which may be nothing.
    func expand(_ pattern: String) throws -> [String] {
        let components = try RootedPath.components(of: pattern)
        guard let first = components.firstIndex(where: WildcardPattern.containsWildcards) else {
            let path = components.joined(separator: "/")
            guard isPresent(path, followLink: true) else {
                throw Self.notFound(pattern)
            }
            return [path]
        }
        // The fixed prefix is resolved, symlinks followed; below it BuildKit walks the tree as
        // it is: only real directories are entered.
        var candidates = [components[..<first].joined(separator: "/")]
        for (level, component) in components[first...].enumerated() {
            let wildcard = WildcardPattern.containsWildcards(component) ? WildcardPattern(component) : nil
            let name = Self.unescaped(component)
            var next: [String] = []
            for prefix in candidates {
                let directory = try sourceRoot.resolve(prefix, followFinalSymlink: level == 0)
                var info = stat()
                guard (level == 0 ? stat(directory, &info) : lstat(directory, &info)) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                    continue
                }
                let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                for entry in names.sorted() where wildcard?.matches(entry) ?? (entry == name) {
                    next.append(prefix.isEmpty ? entry : prefix + "/" + entry)
                }
            }
            candidates = next
        }
        return candidates.filter { isPresent($0, followLink: false) }
    }

    /// A component without wildcards as a name: `\` escapes are the matcher's, not the name's.
    private static func unescaped(_ component: String) -> String {
        var result = ""
        var escaped = false
        for character in component {
            if !escaped && character == "\\" {
                escaped = true
                continue
            }
            escaped = false
            result.append(character)
        }
        return result
    }

    /// Whether `path` (relative to the source root) exists and was not left out of the tree;
    /// asked of where it leads when it passes through symlinks.
    private func isPresent(_ path: String, followLink: Bool) -> Bool {
        guard let components = try? sourceRoot.resolveComponents(path, followFinalSymlink: followLink) else { return false }
        let host = sourceRoot.hostPath(components)
        var info = stat()
        guard lstat(host, &info) == 0 else { return false }
        guard !components.isEmpty else { return true }
        var selection = Selection(semantics: self, source: nil, include: nil)
        return selection.isSelected(components.joined(separator: "/"), host: host)
    }

    // MARK: Copying

    /// Which paths under one source are copied, remembered for the source's walk: a path is when
    /// it is there and not left out, or is a directory holding one that is.
    private struct Selection {
        let semantics: CopySemantics
        /// The source, relative to the source root; nil to ask only whether a path is in the tree.
        let source: String?
        let include: ((String) -> Bool)?
        private var remembered: [String: Bool] = [:]

        init(semantics: CopySemantics, source: String?, include: ((String) -> Bool)?) {
            self.semantics = semantics
            self.source = source
            self.include = include
        }

        /// Whether `path` (relative to the source root, at `host`) is copied.
        mutating func isSelected(_ path: String, host: String) -> Bool {
            if let known = remembered[path] { return known }
            var selected = !semantics.isExcluded(path)
            if selected, let source, path != source {
                let relative = source.isEmpty ? path : String(path.dropFirst(source.count + 1))
                selected = !semantics.isExcludedUnderSource(relative) && (include?(relative) ?? true)
            }
            if !selected {
                var info = stat()
                if lstat(host, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: host)) ?? []
                    selected = names.contains { isSelected(path + "/" + $0, host: host + "/" + $0) }
                }
            }
            remembered[path] = selected
            return selected
        }
    }

    /// Hard-linked files already copied: (device, inode) → their copy.
    private struct HardLinks {
        var copies: [Pair: [String]] = [:]

        struct Pair: Hashable {
            var device: UInt64
            var inode: UInt64
        }
    }

    private func copy(_ source: Source, to destination: String, destinationIsDirectory: Bool, links: inout HardLinks) throws {
        func within(_ directory: [String], _ name: String) -> [String] { name.isEmpty ? directory : directory + [name] }
        // Paths below are named as in the tree, where a symlinked source leads.
        let resolved = try sourceRoot.resolveComponents(source.path)
        let sourceHost = sourceRoot.hostPath(resolved)
        var info = stat()
        guard stat(sourceHost, &info) == 0 else {
            throw Self.notFound(source.path)
        }
        var selection = Selection(semantics: self, source: resolved.joined(separator: "/"), include: source.include)
        if info.st_mode & S_IFMT == S_IFDIR {
            let directory = try makeDirectories(destination)
            try copyChildren(of: sourceHost, relative: resolved.joined(separator: "/"), into: directory, selection: &selection,
                             links: &links)
        } else if destinationIsDirectory {
            let directory = try makeDirectories(destination)
            try copyEntry(sourceHost, relative: source.path, to: within(directory, Self.lastComponent(of: source.path)),
                          followLink: true, selection: &selection, links: &links)
        } else {
            let parent = try makeDirectories(Self.parent(of: destination))
            try copyEntry(sourceHost, relative: source.path, to: within(parent, Self.lastComponent(of: destination)),
                          followLink: true, selection: &selection, links: &links)
        }
    }

    private func copyChildren(of directory: String, relative: String, into destination: [String], selection: inout Selection,
                              links: inout HardLinks) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names {
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            guard selection.isSelected(childRelative, host: directory + "/" + name) else { continue }
            try copyEntry(directory + "/" + name, relative: childRelative, to: destination + [name], followLink: false,
                          selection: &selection, links: &links)
        }
    }

    private func copyEntry(_ source: String, relative: String, to destination: [String], followLink: Bool,
                           selection: inout Selection, links: inout HardLinks) throws {
        var info = stat()
        guard (followLink ? stat(source, &info) : lstat(source, &info)) == 0 else {
            throw BuildError(.notFound, "cannot read \(relative): \(String(cString: strerror(errno)))")
        }
        let own = sourceAttributes?(source)
        let sourceMode = own?.mode ?? UInt32(info.st_mode)
        let type = mode_t(sourceMode) & S_IFMT
        let permissions = mode?.applied(to: sourceMode, isDirectory: type == S_IFDIR) ?? (sourceMode & 0o7777)
        // As BuildKit's copier: every attribute that can be set is, the others are let go.
        var entry = CopiedEntry(
            kind: .directory, uid: owner?.uid ?? own?.uid ?? info.st_uid, gid: owner?.gid ?? own?.gid ?? info.st_gid,
            permissions: permissions, extendedAttributes: own?.extendedAttributes ?? (try? ExtendedAttributes.read(source)) ?? [:],
            times: (info.st_atim, info.st_mtim))
        let existing = self.destination.node(at: destination)
        switch type {
        case S_IFDIR:
            if let existing, !existing.isDirectory { try self.destination.clear(destination) }
            try self.destination.create(entry, at: destination)
            try copyChildren(of: source, relative: relative, into: destination, selection: &selection, links: &links)
            try self.destination.finishDirectory(entry, at: destination)
        case S_IFLNK:
            if existing != nil { try self.destination.clear(destination) }
            entry.kind = .symbolicLink(target: try FileManager.default.destinationOfSymbolicLink(atPath: source))
            try self.destination.create(entry, at: destination)
        case S_IFREG:
            if existing != nil { try self.destination.clear(destination) }
            let identity = HardLinks.Pair(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
            if info.st_nlink > 1, let first = links.copies[identity] {
                try self.destination.link(destination, to: first)
                return
            }
            entry.kind = .file(path: source)
            try self.destination.create(entry, at: destination)
            if info.st_nlink > 1 { links.copies[identity] = destination }
        default:
            // Devices and FIFOs are made anew, and a socket as an empty file (a stub: nothing
            // listens on a copy), as BuildKit's copier makes them.
            if existing != nil { try self.destination.clear(destination) }
            entry.kind = type == S_IFSOCK ? .data(Data()) : .node(type: type, device: own?.device ?? info.st_rdev)
            try self.destination.create(entry, at: destination)
        }
    }

    /// Creates `path` (absolute inside the destination root) and its missing parents as
    /// directories of the copy's owner (root's by default), 0755 or the octal `--chmod`,
    /// returning its components.
    private func makeDirectories(_ path: String) throws -> [String] {
        let components = try destination.resolveComponents(path, followFinalSymlink: true)
        for depth in components.indices {
            let current = Array(components.prefix(depth + 1))
            if let existing = destination.node(at: current) {
                guard existing.isDirectory else {
                    throw BuildError(.failedPrecondition, "cannot copy to \(path): /\(current.joined(separator: "/")) is not a directory")
                }
                continue
            }
            let made = CopiedEntry(kind: .directory, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0, permissions: mode?.octal ?? 0o755)
            try destination.create(made, at: current)
            try destination.finishDirectory(made, at: current)
        }
        return components
    }

    // Paths as text. (Foundation's `NSString` path methods trap on a relative path of one
    // component on Linux: `COPY --parents x` crashed hoist that way.)

    /// The last component of a slash-separated path; empty for `/`.
    static func lastComponent(of path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? ""
    }

    /// The path without its last component: `/` for `/a`, `` for `a`.
    static func parent(of path: String) -> String {
        var components = path.split(separator: "/")
        _ = components.popLast()
        return (path.hasPrefix("/") ? "/" : "") + components.joined(separator: "/")
    }
}
