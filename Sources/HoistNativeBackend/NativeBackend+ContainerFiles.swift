public import Foundation
public import HoistBackend
public import HoistArchive
import HoistRuntime
public import HoistStore

/// Files into and out of kept containers, as `docker cp` moves them: tar streams whose top
/// entry is the copied path's name. Paths inside the container are resolved in its root file
/// system (symlinks too), never outside it.
extension NativeBackend {
    /// Writes `path` of container `name` (a file, or a directory with everything below it) to
    /// `sink` as a tar whose top entry is named `entryName` (default: the path's last component).
    public func copyOut(_ name: String, path: String, entryName: String? = nil, to sink: inout some ByteSink) throws {
        let container = try findContainer(name)
        try mountRootfs(container)
        try ContainerFiles.archive(path, in: container.rootfs, of: container.record.name, entryName: entryName, to: &sink)
    }

    /// The tar ``copyOut(_:path:entryName:to:)`` writes, in memory.
    public func copyOut(_ name: String, path: String) throws -> Data {
        var sink = MemoryByteSink()
        try copyOut(name, path: path, to: &sink)
        return Data(sink.bytes)
    }

    /// Extracts the tar `archive` (plain or compressed) into `directory` of container `name`,
    /// which must exist; entries keep their owners.
    public func copyIn(_ name: String, archive: some ByteSource, into directory: String) throws {
        let container = try findContainer(name)
        try mountRootfs(container)
        try ContainerFiles.extract(archive, into: directory, in: container.rootfs, of: container.record.name)
    }

    /// Extracts `archive`'s bytes into `directory` of container `name`.
    public func copyIn(_ name: String, archive: Data, into directory: String) throws {
        try copyIn(name, archive: MemoryByteSource(Array(archive)), into: directory)
    }

    /// Copies host file or directory `source` to `destination` in the store's container
    /// `name` (the native backend's ``copyIn(_:from:to:)``).
    func copyIntoStoredContainer(_ name: String, from source: String, to destination: String, archive: Bool = false) throws {
        let container = try findContainer(name)
        try mountRootfs(container)
        guard FileManager.default.fileExists(atPath: source) else { throw ClientError(.notFound, "\(source): no such file or directory") }
        let rooted = try RootedPath(root: container.rootfs)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: try rooted.resolve(destination), isDirectory: &isDirectory)
        let (directory, entry) = try CopyTarget.inContainer(
            container.record.name, source: source, destination: destination, isDirectory: exists && isDirectory.boolValue)
        try withScratchFile { path in
            var sink = try FileByteSink(path: path)
            try LayerDiffer().archive(source, as: entry, to: &sink)
            try sink.close()
            // `-a`: the container's user and its primary group own what comes in, as the daemon chowns it.
            let owner = try archive ? Self.owner(ofUser: container.configuration.settings.user, in: container.rootfs) : nil
            try ContainerFiles.extract(
                try FileByteSource(path: path), into: directory, in: container.rootfs, of: container.record.name, owner: owner)
        }
    }

    /// Copies `source` in the store's container `name` to host path `destination` (the native
    /// backend's ``copyOut(_:from:to:)``).
    func copyOutOfStoredContainer(_ name: String, from source: String, to destination: String) throws {
        let (directory, entry) = try CopyTarget.onHost(destination)
        try withScratchFile { path in
            var sink = try FileByteSink(path: path)
            try copyOut(name, path: source, entryName: entry, to: &sink)
            try sink.close()
            // The caller's files, `-a` or not, as docker cp leaves them.
            _ = try LayerApplier(root: directory, options: LayerApplier.Options(preserveOwnership: false)).apply(try FileByteSource(path: path))
        }
    }

    /// Runs `body` with a path for a file in the store's scratch space, removed afterwards.
    private func withScratchFile(_ body: (String) throws -> Void) throws {
        try FileManager.default.createDirectory(at: store.root.temporary, withIntermediateDirectories: true)
        let path = store.root.temporary.appendingPathComponent("copy-\(UUID().uuidString).tar").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    /// The owner `docker cp -a` gives what it copies in: the container's user (a name or ID, as
    /// `USER` and `-u` take it) and its primary group, from the container's own databases.
    static func owner(ofUser user: String?, in rootfs: String) throws -> LayerApplier.Options.Owner {
        do {
            let resolved = try UserResolver(rootfs: rootfs).resolve(user, extraGroups: [])
            return LayerApplier.Options.Owner(uid: Int(resolved.uid), gid: Int(resolved.gid))
        } catch let error as RuntimeError {
            throw ClientError(error.code, error.message)
        }
    }
}
