#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistArchive
public import HoistBuild
import HoistStore

/// A solved ``BuildState``: its files, readable without exporting an image, and a container
/// to run processes on them (``newContainer(mounts:network:)``).
public struct SolvedBuild: Sendable {
    let store: Store
    let snapshot: SnapshotKey?
    /// What was solved: its environment, directory and user are a debug container's defaults.
    public let state: BuildState

    /// What the frontend warned about (the Dockerfile's build checks), with file:line:column.
    public var warnings: [BuildWarning] { state.warnings }

    /// What ``stat(_:)`` tells about a path.
    public struct FileStatus: Sendable, Hashable {
        public enum Kind: Sendable, Hashable { case regular, directory, symlink, other }
        public var kind: Kind
        public var mode: UInt32
        public var size: Int64
        public var uid: UInt32
        public var gid: UInt32
        public var linkTarget: String?
    }

    /// The bytes of file `path` (or those in `range`).
    public func readFile(_ path: String, range: Range<Int>? = nil) throws -> Data {
        try withRoot { root in
            let host = try RootedPath(root: root).resolve(path)
            guard let data = FileManager.default.contents(atPath: host) else {
                throw ClientError(.notFound, "\(path): no such file in the build result")
            }
            guard let range else { return data }
            let clamped = max(0, range.lowerBound)..<min(data.count, max(range.upperBound, range.lowerBound))
            return data.subdata(in: clamped.clamped(to: 0..<data.count))
        }
    }

    /// What `path` is (not following a final symbolic link).
    public func stat(_ path: String) throws -> FileStatus {
        try withRoot { root in
            let host = try RootedPath(root: root).resolve(path, followFinalSymlink: false)
            var info = Glibc.stat()
            guard lstat(host, &info) == 0 else { throw ClientError(.notFound, "\(path): no such file in the build result") }
            let type = info.st_mode & S_IFMT
            let kind: FileStatus.Kind = type == S_IFREG ? .regular : type == S_IFDIR ? .directory : type == S_IFLNK ? .symlink : .other
            return FileStatus(
                kind: kind, mode: info.st_mode & 0o7777, size: Int64(info.st_size), uid: info.st_uid, gid: info.st_gid,
                linkTarget: kind == .symlink ? try? FileManager.default.destinationOfSymbolicLink(atPath: host) : nil)
        }
    }

    /// The names in directory `path`, sorted; only those matching one of `include` (shell
    /// patterns: `*.c`, `lib?`) when given.
    public func readDirectory(_ path: String, include: [String] = []) throws -> [String] {
        try withRoot { root in
            let host = try RootedPath(root: root).resolve(path)
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: host).sorted()
            } catch {
                throw ClientError(.notFound, "\(path): no such directory in the build result", underlying: error)
            }
            guard !include.isEmpty else { return names }
            return names.filter { name in include.contains { fnmatch($0, name, 0) == 0 } }
        }
    }

    /// This result mounted at `path` of a debug container (read-only unless said otherwise).
    public func mounted(at path: String, readOnly: Bool = true) -> DebugContainer.Mount {
        DebugContainer.Mount(self, at: path, readOnly: readOnly)
    }

    /// A container whose root file system is a writable snapshot of this result, with the
    /// other results of `mounts` mounted in it, for running processes without exporting. The
    /// result itself never changes. ``DebugContainer/release()`` it when done.
    public func newContainer(mounts: [DebugContainer.Mount] = [], network: NetworkMode = .none) async throws -> DebugContainer {
        try DebugContainer(root: self, mounts: mounts, network: network)
    }

    /// Mounts a read-only view of the result for `body`, and removes it afterwards.
    private func withRoot<T>(_ body: (String) throws -> T) throws -> T {
        let scratch = store.root.temporary.appendingPathComponent("read-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard let snapshot else { return try body(scratch) }
        let snapshotter = try store.snapshotter()
        let view = try SnapshotKey("read/\(UUID().uuidString)")
        let mounts = try snapshotter.view(key: view, parent: snapshot)
        defer { try? snapshotter.remove(view) }
        try Mount.mountAll(mounts, at: scratch)
        defer { try? Mount.unmountAll(mounts, at: scratch) }
        return try body(scratch)
    }
}
