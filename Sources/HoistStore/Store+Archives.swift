import Foundation
public import HoistOCI

extension Store {
    /// Reads the Docker archive or OCI-layout tar at `path` (plain or compressed) into the
    /// store and returns the images it holds, not yet named: name them with ``setName(_:target:created:)``
    /// inside the same ``withWriteLease(_:)``.
    ///
    /// Throws `notFound` for a missing file, `invalidArgument` for a file that is not an image
    /// archive, `dataLoss` for content that does not match its digest; nothing the archive
    /// brought stays in the store then.
    /// `progress` is told of each file as it goes into the store.
    public func readArchive(at path: String, progress: @escaping TransferProgressHandler = { _ in }) throws -> [ArchivedImage] {
        try ImageArchiveLoader(store: self, progress: progress).load(path: path)
    }

    /// Writes `images` to a new archive file at `path`, replacing it only when complete.
    /// For ``ImageArchiveFormat/docker`` give familiar names (`busybox:latest`), for
    /// ``ImageArchiveFormat/oci`` full ones (`docker.io/library/busybox:latest`).
    /// `progress` is told of each blob as it is written.
    public func writeArchive(_ images: [ArchivedImage], format: ImageArchiveFormat, to path: String,
                             progress: @escaping TransferProgressHandler = { _ in }) throws {
        try ImageArchiveWriter(store: self, progress: progress).write(
            images.map { ImageArchiveWriter.Entry(names: $0.names, target: $0.target) }, format: format, to: path)
    }
}
