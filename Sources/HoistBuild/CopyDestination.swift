#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// The root file system file actions (`COPY`, `ADD`, `WORKDIR`, heredocs) write to: they look
/// at what is there (links followed inside the root) and add entries.
///
/// Implementations: ``DirectoryDestination``, a directory of this machine written with system
/// calls (the native worker's snapshots, which needs root to give files their owners), and
/// ``ArchiveDestination``, a tar of the entries over the index of a layer chain, which a Docker
/// daemon extracts into a container (no privilege on this machine). Paths are root-relative
/// components free of symbolic links, as ``resolveComponents(_:followFinalSymlink:)`` gives them.
protocol CopyDestination: AnyObject {
    /// `path` (inside the root) as components free of symbolic links, those on the way followed
    /// inside the root (the last one too unless `followFinalSymlink` is false), as
    /// `RootedPath.resolveComponents` resolves them. Components not there are kept as given.
    func resolveComponents(_ path: String, followFinalSymlink: Bool) throws -> [String]
    /// What is at `path`, not following a final link; nil when nothing is.
    func node(at path: [String]) -> DestinationNode?
    /// The bytes of the regular file at `path` (inside the root, links followed), nil when
    /// there is none: how `/etc/passwd` and `/etc/group` are read.
    func contents(of path: String) -> Data?
    /// Takes away what is at `path`, with everything under it, to make way for an entry.
    func clear(_ path: [String]) throws
    /// Creates `entry` at `path`, where nothing is (a directory may be: it is kept, and gets
    /// the entry's attributes in ``finishDirectory(_:at:)``, after what is copied into it).
    func create(_ entry: CopiedEntry, at path: [String]) throws
    /// Gives the directory at `path` the attributes of `entry`, once its contents are in.
    func finishDirectory(_ entry: CopiedEntry, at path: [String]) throws
    /// Makes `path` a hard link to the file copied to `existing` before.
    func link(_ path: [String], to existing: [String]) throws
    /// Removes `path` (`rm`), with everything under it.
    func remove(_ path: [String]) throws
    /// Unpacks the tar archive (plain or compressed) at `archive` into `directory`, created when
    /// missing; with `owner` (`ADD --chown`), every entry and the directories made are its.
    func extract(_ archive: String, into directory: String, owner: (uid: UInt32, gid: UInt32)?) throws
}

/// What a destination path is, as far as a copy cares.
enum DestinationNode: Sendable, Equatable {
    case directory
    case symbolicLink(target: String)
    case other

    var isDirectory: Bool { self == .directory }
}

/// One entry a file action writes: what it is, its owner, permissions, extended attributes
/// and times.
struct CopiedEntry {
    enum Kind {
        case directory
        /// A regular file with the contents of this machine's file at `path`.
        case file(path: String)
        /// A regular file with these contents.
        case data(Data)
        case symbolicLink(target: String)
        /// A device or FIFO (`type` is `S_IFCHR`, `S_IFBLK` or `S_IFIFO`) with its device number.
        case node(type: mode_t, device: dev_t)
    }

    var kind: Kind
    var uid: UInt32
    var gid: UInt32
    /// Permission bits, setuid, setgid and sticky included.
    var permissions: UInt32
    var extendedAttributes: [String: [UInt8]] = [:]
    /// Access and modification times; nil leaves those of the entry's making.
    var times: (access: timespec, modification: timespec)?
}
