import Foundation
import HoistArchive
import HoistOCI

/// Resolves a Docker `USER` value against a root file system's /etc/passwd and /etc/group,
/// read inside the root (symlinks in it cannot lead out).
struct UserResolver {
    /// A resolved user.
    struct Resolved: Hashable {
        var uid: UInt32
        var gid: UInt32
        var additionalGids: [UInt32]
        /// The home directory from /etc/passwd, `/` when unknown.
        var home: String
    }

    private struct PasswdEntry {
        var name: String
        var uid: UInt32
        var gid: UInt32
        var home: String
    }

    private struct GroupEntry {
        var name: String
        var gid: UInt32
        var members: [String]
    }

    private let passwd: [PasswdEntry]
    private let groups: [GroupEntry]

    /// Reads the databases under `rootfs`; a missing file counts as empty.
    init(rootfs: String) throws {
        let root = try RootedPath(root: rootfs)
        passwd = Self.lines(root, "/etc/passwd").compactMap { fields in
            guard fields.count >= 4, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { return nil }
            return PasswdEntry(name: fields[0], uid: uid, gid: gid, home: fields.count > 5 ? fields[5] : "/")
        }
        groups = Self.lines(root, "/etc/group").compactMap { fields in
            guard fields.count >= 3, let gid = UInt32(fields[2]) else { return nil }
            let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            return GroupEntry(name: fields[0], gid: gid, members: members)
        }
    }

    /// Resolves `user` (`name`, `uid`, `uid:gid`, `name:group` …) plus `extraGroups`. Throws
    /// `notFound` for a name the databases lack; numbers need no entry.
    func resolve(_ user: String?, extraGroups: [String]) throws -> Resolved {
        let text = user ?? ""
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts.first ?? ""
        let groupPart = parts.count > 1 ? parts[1] : nil

        var entry: PasswdEntry?
        let uid: UInt32
        if userPart.isEmpty {
            entry = passwd.first { $0.uid == 0 }
            uid = 0
        } else if let number = UInt32(userPart) {
            entry = passwd.first { $0.uid == number }
            uid = number
        } else {
            guard let found = passwd.first(where: { $0.name == userPart }) else {
                throw RuntimeError(.notFound, "unable to find user \(userPart): no matching entries in the image's /etc/passwd")
            }
            entry = found
            uid = found.uid
        }

        var gid = entry?.gid ?? 0
        if let groupPart, !groupPart.isEmpty {
            gid = try self.gid(groupPart)
        }
        var additional: [UInt32] = []
        // Groups that list the user as a member, as login does (only when no group was named).
        if groupPart == nil, let name = entry?.name {
            additional += groups.filter { $0.members.contains(name) && $0.gid != gid }.map(\.gid)
        }
        for group in extraGroups {
            additional.append(try self.gid(group))
        }
        var seen: Set<UInt32> = []
        additional = additional.filter { seen.insert($0).inserted }
        return Resolved(uid: uid, gid: gid, additionalGids: additional, home: entry?.home ?? "/")
    }

    private func gid(_ group: String) throws -> UInt32 {
        if let number = UInt32(group) { return number }
        guard let found = groups.first(where: { $0.name == group }) else {
            throw RuntimeError(.notFound, "unable to find group \(group): no matching entries in the image's /etc/group")
        }
        return found.gid
    }

    private static func lines(_ root: RootedPath, _ path: String) -> [[String]] {
        guard let resolved = try? root.resolve(path),
            let data = FileManager.default.contents(atPath: resolved)
        else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
            return trimmed.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
