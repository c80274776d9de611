#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// Copies of directory trees as `--as-dockerfile` lays them out beside its Dockerfile: files,
/// directories and symbolic links with their modes and modification times, so a build of the
/// copy gives the same layers as a build of the original.
enum S2ITree {
    /// Copies the tree at `source` to `destination` (created), leaving out the paths (relative
    /// to `source`) `excluding` says; a missing `source` makes an empty directory.
    static func copy(_ source: URL, to destination: URL, excluding: (String) -> Bool = { _ in false }) throws {
        let files = FileManager.default
        try files.createDirectory(at: destination, withIntermediateDirectories: true)
        guard files.fileExists(atPath: source.path) else { return }
        func walk(_ relative: String) throws {
            let from = relative.isEmpty ? source.path : source.path + "/" + relative
            let to = relative.isEmpty ? destination.path : destination.path + "/" + relative
            var info = stat()
            guard lstat(from, &info) == 0 else { return }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if !relative.isEmpty { try files.createDirectory(atPath: to, withIntermediateDirectories: false) }
                for name in try files.contentsOfDirectory(atPath: from).sorted() {
                    let path = relative.isEmpty ? name : relative + "/" + name
                    if !excluding(path) { try walk(path) }
                }
            case S_IFLNK:
                try files.createSymbolicLink(atPath: to, withDestinationPath: try files.destinationOfSymbolicLink(atPath: from))
                return
            case S_IFREG:
                try files.copyItem(atPath: from, toPath: to)
            default:
                return
            }
            chmod(to, info.st_mode & 0o7777)
            var times = [info.st_atim, info.st_mtim]
            utimensat(AT_FDCWD, to, &times, AT_SYMLINK_NOFOLLOW)
        }
        try walk("")
    }
}
