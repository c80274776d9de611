package import HoistArchive
import Foundation

/// A container's files as `docker cp` moves them, for every backend whose containers' root
/// file systems are on this machine: tar streams whose top entry is the copied path's name,
/// paths resolved in the container's root (symlinks too) and never outside it.
package enum ContainerFiles {
    /// Writes `path` of the root file system at `root` (container `container`'s) to `sink` as a
    /// tar whose top entry is `entryName` (default: the path's last component).
    ///
    /// The container may be running: its tree is read by descriptors, so no symlink it swaps
    /// in meanwhile can lead the copy outside its root.
    package static func archive(_ path: String, in root: String, of container: String, entryName: String? = nil, to sink: inout some ByteSink) throws {
        let top = entryName ?? CopyTarget.lastComponent(path)
        do {
            try LayerDiffer().archive(path, inRoot: root, as: top.isEmpty ? "." : top, to: &sink)
        } catch let error as ArchiveError where error.code == .notFound {
            throw ClientError(.notFound, "no such file or directory in container \(container): \(path)")
        }
    }

    /// Extracts `archive` into `directory` of the root file system at `root` (container
    /// `container`'s), which must exist; entries keep their owners.
    ///
    /// The container may be running: `directory` is found and written by descriptors, so no
    /// symlink it swaps in meanwhile can lead the copy outside its root.
    package static func extract(_ archive: some ByteSource, into directory: String, in root: String, of container: String) throws {
        // Looked up first for a clear message only; the copy itself resolves the directory anew.
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: try RootedPath(root: root).resolve(directory), isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw ClientError(.notFound, "no such directory in container \(container): \(directory)")
        }
        do {
            _ = try LayerApplier(root: root, directory: directory).apply(archive)
        } catch {
            throw ClientError(.invalidArgument, "cannot extract the archive into \(directory)", underlying: error)
        }
    }
}
