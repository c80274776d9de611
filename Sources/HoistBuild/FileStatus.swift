public import Foundation

/// What a solved result tells about one of its paths (BuildKit's `Stat`): a frontend reading
/// its context, or a program reading a build's files without exporting them.
public struct FileStatus: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case regular, directory, symlink, other }

    /// The path's last component (what a directory listing names it).
    public var name: String
    public var kind: Kind
    /// Permission bits, setuid, setgid and sticky included (`0o4755`).
    public var mode: UInt32
    public var size: Int64
    public var uid: UInt32
    public var gid: UInt32
    /// The last modification.
    public var modificationTime: Date
    /// A symbolic link's target, as written.
    public var linkTarget: String?
    /// A device file's major and minor numbers.
    public var device: (major: UInt32, minor: UInt32)? {
        get { deviceMajor.map { ($0, deviceMinor ?? 0) } }
        set {
            deviceMajor = newValue?.major
            deviceMinor = newValue?.minor
        }
    }
    private var deviceMajor: UInt32?
    private var deviceMinor: UInt32?

    public init(name: String, kind: Kind, mode: UInt32, size: Int64, uid: UInt32, gid: UInt32, modificationTime: Date,
                linkTarget: String? = nil, device: (major: UInt32, minor: UInt32)? = nil) {
        self.name = name
        self.kind = kind
        self.mode = mode
        self.size = size
        self.uid = uid
        self.gid = gid
        self.modificationTime = modificationTime
        self.linkTarget = linkTarget
        self.deviceMajor = device?.major
        self.deviceMinor = device?.minor
    }
}
