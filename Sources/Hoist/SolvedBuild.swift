#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistArchive
public import HoistBuild
import HoistStore

/// A solved ``BuildState``: its files, readable without exporting an image, and a container
/// to run processes on them (``newContainer(mounts:network:)``).
public struct SolvedBuild: GatewayReference {
    let store: Store
    let snapshot: SnapshotKey?
    /// What was solved: its environment, directory and user are a debug container's defaults.
    public let state: BuildState

    /// What the frontend warned about (the Dockerfile's build checks), with file:line:column.
    public var warnings: [BuildWarning] { state.warnings }

    /// What ``stat(_:)`` tells about a path.
    public typealias FileStatus = HoistBuild.FileStatus

    /// The bytes of file `path` (or those in `range`).
    public func readFile(_ path: String, range: Range<Int>? = nil) throws -> Data {
        guard let range else { return try readFile(path, offset: 0, length: nil) }
        let lower = max(0, range.lowerBound)
        return try readFile(path, offset: lower, length: max(0, range.upperBound - lower))
    }

    /// `length` bytes of file `path` from `offset` (to the end when nil), reading only those.
    public func readFile(_ path: String, offset: Int, length: Int?) throws -> Data {
        guard offset >= 0, (length ?? 0) >= 0 else {
            throw ClientError(.invalidArgument, "\(path): a negative offset or length")
        }
        return try withRoot { root in
            let host = try RootedPath(root: root).resolve(path)
            guard let file = FileHandle(forReadingAtPath: host) else {
                throw ClientError(.notFound, "\(path): no such file in the build result")
            }
            defer { try? file.close() }
            try file.seek(toOffset: UInt64(offset))
            if let length { return try file.read(upToCount: length) ?? Data() }
            return try file.readToEnd() ?? Data()
        }
    }

    /// What `path` is (not following a final symbolic link).
    public func stat(_ path: String) throws -> FileStatus {
        try withRoot { root in
            let host = try RootedPath(root: root).resolve(path, followFinalSymlink: false)
            guard let status = Self.status(of: host, name: (path as NSString).lastPathComponent) else {
                throw ClientError(.notFound, "\(path): no such file in the build result")
            }
            return status
        }
    }

    /// The names in directory `path`, sorted; only those matching one of `include` (shell
    /// patterns: `*.c`, `lib?`) when given.
    public func readDirectory(_ path: String, include: [String] = []) throws -> [String] {
        try entries(in: path, include: include).map(\.name)
    }

    /// The entries of directory `path` with their status, sorted by name; only those matching
    /// one of `include` when given, and none matching one of `exclude` (shell patterns).
    public func entries(in path: String, include: [String] = [], exclude: [String] = []) throws -> [FileStatus] {
        try withRoot { root in
            let host = try RootedPath(root: root).resolve(path)
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: host).sorted()
            } catch {
                throw ClientError(.notFound, "\(path): no such directory in the build result", underlying: error)
            }
            return names.filter { name in
                (include.isEmpty || include.contains { fnmatch($0, name, 0) == 0 }) && !exclude.contains { fnmatch($0, name, 0) == 0 }
            }.compactMap { Self.status(of: host + "/" + $0, name: $0) }
        }
    }

    /// The status of host path `host`, not following a final link; nil when it is not there.
    private static func status(of host: String, name: String) -> FileStatus? {
        var info = Glibc.stat()
        guard lstat(host, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        let kind: FileStatus.Kind = type == S_IFREG ? .regular : type == S_IFDIR ? .directory : type == S_IFLNK ? .symlink : .other
        let isDevice = type == S_IFCHR || type == S_IFBLK
        let modified = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
        return FileStatus(
            name: name, kind: kind, mode: info.st_mode & 0o7777, size: Int64(info.st_size), uid: info.st_uid, gid: info.st_gid,
            modificationTime: modified,
            linkTarget: kind == .symlink ? try? FileManager.default.destinationOfSymbolicLink(atPath: host) : nil,
            device: isDevice ? DeviceNumber.split(info.st_rdev) : nil)
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
