extension Mount {
    /// The type of a mount that is no mount: a directory to work in where it is. Snapshotters
    /// that cannot mount — the in-place one, in a container without `CAP_SYS_ADMIN` — give
    /// their snapshots so; mounting one fails (the kernel knows no such file system).
    public static let directoryType = "directory"

    /// A directory used where it is, read-only or not (the caller keeps to it; nothing
    /// enforces it).
    public static func directory(_ path: String, readOnly: Bool) -> Mount {
        Mount(type: directoryType, source: path, options: [readOnly ? "ro" : "rw"])
    }

    /// The directory `mounts` stand for when they are one directory to use in place (nothing
    /// to mount); nil when they must be mounted.
    public static func directoryInPlace(_ mounts: [Mount]) -> String? {
        guard mounts.count == 1, let only = mounts.first, only.type == directoryType, only.target == nil else { return nil }
        return only.source
    }
}
