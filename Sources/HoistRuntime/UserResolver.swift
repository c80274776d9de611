import Foundation
import HoistArchive
import HoistOCI

/// Resolves a Docker `USER` value against a root file system's /etc/passwd and /etc/group,
/// read inside the root (symlinks in it cannot lead out).
package struct UserResolver {
    /// A resolved user.
    package struct Resolved: Hashable {
        package var uid: UInt32
        package var gid: UInt32
        var additionalGids: [UInt32]
        /// The home directory from /etc/passwd, `/` when unknown.
        var home: String
    }

    private let accounts: AccountDatabase

    /// Reads the databases under `rootfs`; a missing file counts as empty.
    package init(rootfs: String) throws {
        accounts = AccountDatabase(root: try RootedPath(root: rootfs))
    }

    /// Resolves `user` (`name`, `uid`, `uid:gid`, `name:group` …) plus `extraGroups`. Throws
    /// `notFound` for a name the databases lack; numbers need no entry. With
    /// `primaryGroupIsSupplementary` the primary group leads the supplementary ones, as Docker
    /// sets them for containers (BuildKit's RUN steps leave it out).
    package func resolve(_ user: String?, extraGroups: [String], primaryGroupIsSupplementary: Bool = false) throws -> Resolved {
        let text = user ?? ""
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts.first ?? ""
        let groupPart = parts.count > 1 ? parts[1] : nil

        var entry: AccountDatabase.User?
        let uid: UInt32
        if userPart.isEmpty {
            entry = accounts.user(id: 0)
            uid = 0
        } else if let number = try AccountID.parse(userPart) {
            entry = accounts.user(id: number)
            uid = number
        } else {
            guard let found = accounts.user(named: userPart) else {
                throw RuntimeError(.notFound, "unable to find user \(userPart): no matching entries in the image's /etc/passwd")
            }
            entry = found
            uid = found.uid
        }

        var gid = entry?.gid ?? 0
        if let groupPart, !groupPart.isEmpty {
            gid = try self.gid(groupPart)
        }
        // Ids from the image's files too: an entry may hold 4294967295 as well as a flag can.
        try AccountID.check(uid)
        try AccountID.check(gid)
        var additional: [UInt32] = primaryGroupIsSupplementary ? [gid] : []
        // Groups that list the user as a member, as login does (only when no group was named).
        if groupPart == nil, let name = entry?.name {
            additional += accounts.groups.filter { $0.members.contains(name) && ($0.gid != gid || primaryGroupIsSupplementary) }
                .map(\.gid)
        }
        for group in extraGroups {
            additional.append(try self.gid(group))
        }
        try additional.forEach(AccountID.check)
        var seen: Set<UInt32> = []
        additional = additional.filter { seen.insert($0).inserted }
        return Resolved(uid: uid, gid: gid, additionalGids: additional, home: entry?.home ?? "/")
    }

    private func gid(_ group: String) throws -> UInt32 {
        if let number = try AccountID.parse(group) { return number }
        guard let found = accounts.group(named: group) else {
            throw RuntimeError(.notFound, "unable to find group \(group): no matching entries in the image's /etc/group")
        }
        return found.gid
    }
}
