/// The kind of a tar entry.
public enum TarEntryType: UInt8, Sendable, Hashable, CaseIterable {
    /// A regular file (typeflag `0`; `\0` and `7` are read as this too).
    case regular = 0x30
    /// A hard link to ``TarHeader/linkName``, an earlier entry (typeflag `1`).
    case hardLink = 0x31
    /// A symbolic link whose target is ``TarHeader/linkName`` (typeflag `2`).
    case symbolicLink = 0x32
    /// A character device (typeflag `3`).
    case characterDevice = 0x33
    /// A block device (typeflag `4`).
    case blockDevice = 0x34
    /// A directory (typeflag `5`).
    case directory = 0x35
    /// A named pipe (typeflag `6`).
    case fifo = 0x36
}

/// A point in time with nanosecond precision, as PAX `mtime` records carry it.
public struct TarTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since the Unix epoch (may be negative).
    public var seconds: Int64
    /// Nanoseconds within the second, 0 ..< 1_000_000_000.
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static func < (lhs: TarTimestamp, rhs: TarTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    public var description: String {
        nanoseconds == 0 ? "\(seconds)" : "\(seconds).\(String(nanoseconds + 1_000_000_000).dropFirst())"
    }
}

/// The metadata of one tar entry, after PAX and GNU extension headers are merged in.
///
/// Names are relative paths as stored, without the trailing `/` that marks directories (the
/// writer adds it). Names are decoded as UTF-8; bytes that are not valid UTF-8 are replaced.
public struct TarHeader: Sendable, Hashable {
    /// The entry's path inside the archive.
    public var name: String
    /// What kind of entry this is.
    public var type: TarEntryType
    /// Permission bits including setuid, setgid and sticky (`0o7777`).
    public var mode: UInt32
    /// Numeric owner.
    public var uid: Int
    /// Numeric group.
    public var gid: Int
    /// The size of the contents in bytes (0 for anything but regular files).
    public var size: Int64
    /// Modification time.
    public var modificationTime: TarTimestamp
    /// Target of a symbolic link, or the earlier entry a hard link names.
    public var linkName: String
    /// Owner name, or empty.
    public var userName: String
    /// Group name, or empty.
    public var groupName: String
    /// Device major number, for device entries.
    public var deviceMajor: UInt32
    /// Device minor number, for device entries.
    public var deviceMinor: UInt32
    /// Extended attributes (PAX `SCHILY.xattr.NAME` records), by name.
    public var xattrs: [String: [UInt8]]

    public init(
        name: String, type: TarEntryType = .regular, mode: UInt32 = 0o644, uid: Int = 0, gid: Int = 0,
        size: Int64 = 0, modificationTime: TarTimestamp = TarTimestamp(seconds: 0), linkName: String = "",
        userName: String = "", groupName: String = "", deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0,
        xattrs: [String: [UInt8]] = [:]
    ) {
        self.name = name
        self.type = type
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.modificationTime = modificationTime
        self.linkName = linkName
        self.userName = userName
        self.groupName = groupName
        self.deviceMajor = deviceMajor
        self.deviceMinor = deviceMinor
        self.xattrs = xattrs
    }
}
