public import Foundation
public import HoistArchive

/// The users and groups of a root file system, from its `/etc/passwd` and `/etc/group`, read
/// inside the root: a symlinked `/etc/passwd` cannot lead to the host's. A missing file counts
/// as empty; comment and malformed lines are skipped.
public struct AccountDatabase: Sendable {
    public struct User: Sendable, Hashable {
        public var name: String
        public var uid: UInt32
        public var gid: UInt32
        /// The home directory, `/` when the entry has none.
        public var home: String
    }

    public struct Group: Sendable, Hashable {
        public var name: String
        public var gid: UInt32
        /// The users the entry lists as members.
        public var members: [String]
    }

    public let users: [User]
    public let groups: [Group]

    public init(root: RootedPath) {
        self.init { path in
            guard let resolved = try? root.resolve(path) else { return nil }
            return FileManager.default.contents(atPath: resolved)
        }
    }

    /// The users and groups in the files `read` gives for `/etc/passwd` and `/etc/group` (nil
    /// for a file that is not there): a root file system that is not on this machine's disk.
    public init(reading read: (String) -> Data?) {
        users = Self.entries(read("/etc/passwd")).compactMap { fields in
            guard fields.count >= 4, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return nil }
            return User(name: fields[0], uid: uid, gid: gid, home: fields.count > 5 && !fields[5].isEmpty ? fields[5] : "/")
        }
        groups = Self.entries(read("/etc/group")).compactMap { fields in
            guard fields.count >= 3, let gid = UInt32(fields[2]) else { return nil }
            let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            return Group(name: fields[0], gid: gid, members: members)
        }
    }

    /// The first entry of that name, as getpwnam gives.
    public func user(named name: String) -> User? { users.first { $0.name == name } }
    /// The first entry with that uid, as getpwuid gives.
    public func user(id: UInt32) -> User? { users.first { $0.uid == id } }
    public func group(named name: String) -> Group? { groups.first { $0.name == name } }

    /// The colon-separated fields of each entry of a file's contents.
    private static func entries(_ data: Data?) -> [[String]] {
        guard let data else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
            return trimmed.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
