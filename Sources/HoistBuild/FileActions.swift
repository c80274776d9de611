#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistArchive
import HoistRuntime

/// Applies a ``FileOp``'s actions to a destination as BuildKit's file operations apply them:
/// the one implementation of `COPY`, `ADD`, `WORKDIR` and heredoc files, whichever worker
/// writes (the native worker on a snapshot, the docker worker to a tar for the daemon).
struct FileActions {
    let destination: any CopyDestination
    let pathFilter: PathFilter

    /// The tree a copy reads, on this machine.
    struct Source {
        var path: String
        /// Patterns that filter the tree (`.dockerignore`).
        var exclude: [String]
        /// A local source (the build context): its files are copied as root's, as Docker sends them.
        var isLocal: Bool
        /// The true attributes of files whose own this machine's copy cannot keep.
        var attributes: ((String) -> CopySemantics.SourceAttributes?)?
    }

    /// Applies `action`; a copy reads the tree `readable` gives for its action and input.
    func perform(_ action: FileAction, inputs: [BuildResult],
                 readable: (CopyAction, BuildResult, (Source) throws -> Void) throws -> Void) throws {
        let users = UserDatabase(accounts: AccountDatabase { destination.contents(of: $0) })
        switch action {
        case .copy(let copy):
            guard copy.sourceInput < inputs.count else {
                throw BuildError(.internal, "COPY reads input \(copy.sourceInput) of \(inputs.count)")
            }
            let owner = try copy.owner.map { try users.resolve(user: $0.user, group: $0.group) }
            let mode = try copy.mode.map(ModeChange.init(parsing:))
            try readable(copy, inputs[copy.sourceInput]) { source in
                let sourceRoot = try RootedPath(root: source.path)
                // Docker sends build context files as root's; files from images keep their owners.
                var semantics = CopySemantics(
                    sourceRoot: sourceRoot, destination: destination, isExcluded: try pathFilter.make(source.exclude),
                    owner: owner ?? (source.isLocal ? (0, 0) : nil), mode: mode)
                semantics.isExcludedUnderSource = try pathFilter.make(copy.excludes)
                semantics.includeMatcher = pathFilter.make
                semantics.sourceAttributes = source.attributes
                var sources = copy.sources
                if copy.unpackArchives {
                    // ADD extracts local tar archives (plain or compressed) into the destination.
                    var plain: [String] = []
                    for pattern in copy.sources {
                        let matches = try semantics.expand(pattern)
                        let archives = try matches.filter { try Self.isArchive(try sourceRoot.resolve($0)) }
                        for archive in archives {
                            try destination.extract(try sourceRoot.resolve(archive), into: copy.destination, owner: owner)
                        }
                        if archives.isEmpty { plain.append(pattern) } else { plain += matches.filter { !archives.contains($0) } }
                    }
                    sources = plain
                }
                if !sources.isEmpty {
                    try semantics.copy(sources: sources, to: copy.destination, keepParents: copy.keepParents)
                }
            }
        case .mkdir(let path, let mode, let makeParents, let owner):
            let ids = try owner.map { try users.resolve(user: $0.user, group: $0.group) }
            let components = try destination.resolveComponents(path, followFinalSymlink: true)
            // Every directory this creates gets the owner, as BuildKit's mkdir does; existing ones stay.
            for depth in (makeParents ? 1 : components.count)...max(components.count, 1) where depth <= components.count {
                let made = Array(components.prefix(depth))
                if destination.node(at: made) != nil { continue }
                if depth > 1, destination.node(at: Array(components.prefix(depth - 1)))?.isDirectory != true {
                    throw BuildError(.failedPrecondition, "cannot create \(path): \(String(cString: strerror(ENOENT)))")
                }
                let entry = CopiedEntry(kind: .directory, uid: ids?.uid ?? 0, gid: ids?.gid ?? 0, permissions: mode)
                try destination.create(entry, at: made)
                try destination.finishDirectory(entry, at: made)
            }
        case .mkfile(let path, let contents, let mode, let owner):
            let components = try destination.resolveComponents(path, followFinalSymlink: true)
            // As BuildKit copies a heredoc into place, missing parent directories are made (0755).
            for depth in 1..<max(components.count, 1) {
                let parent = Array(components.prefix(depth))
                if destination.node(at: parent) != nil { continue }
                let entry = CopiedEntry(kind: .directory, uid: 0, gid: 0, permissions: 0o755)
                try destination.create(entry, at: parent)
                try destination.finishDirectory(entry, at: parent)
            }
            let ids = try owner.map { try users.resolve(user: $0.user, group: $0.group) }
            if destination.node(at: components) != nil { try destination.clear(components) }
            try destination.create(
                CopiedEntry(kind: .data(Data(contents)), uid: ids?.uid ?? 0, gid: ids?.gid ?? 0, permissions: mode), at: components)
        case .remove(let path, let allowNotFound):
            let components = try destination.resolveComponents(path, followFinalSymlink: false)
            if destination.node(at: components) != nil {
                try destination.remove(components)
            } else if !allowNotFound {
                throw BuildError(.notFound, "cannot remove \(path): no such file")
            }
        case .symlink(let target, let path):
            let components = try destination.resolveComponents(path, followFinalSymlink: false)
            if destination.node(at: components) != nil {
                throw BuildError(.failedPrecondition, "cannot create \(path): \(String(cString: strerror(EEXIST)))")
            }
            try destination.create(CopiedEntry(kind: .symbolicLink(target: target), uid: 0, gid: 0, permissions: 0o777), at: components)
        }
    }

    /// Whether the file at `path` is a tar archive, plain or compressed.
    static func isArchive(_ path: String) throws -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0 else { return false }
        guard let source = try? DecompressingSource(try FileByteSource(path: path)) else { return false }
        var reader = TarReader(source)
        return (try? reader.next()) != nil
    }
}
