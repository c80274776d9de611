import HoistArchive
import HoistOCI
import HoistRuntime

/// Resolves `--chown=user:group` (and the `USER` a `WORKDIR` is made for) as BuildKit's file
/// operations do against the destination's users and groups: names looked up in its
/// `/etc/passwd` and `/etc/group` (read inside the root), numbers taken as they are, and a name
/// found in neither taken as 0 — BuildKit builds `USER nobody-here` + `WORKDIR /app`, making the
/// directory root's.
struct UserDatabase {
    private let accounts: AccountDatabase

    init(root: String) throws {
        accounts = AccountDatabase(root: try RootedPath(root: root))
    }

    init(accounts: AccountDatabase) {
        self.accounts = accounts
    }

    /// `user[:group]` as numeric ids. A user alone takes its primary group when it is a name,
    /// and the same number when numeric (Docker's `--chown=1000` means 1000:1000); an unknown
    /// user is 0:0, an unknown group leaves the user's group.
    /// - Throws: ``BuildError`` for a number out of Docker's range of ids.
    func resolve(user: String, group: String?) throws -> (uid: UInt32, gid: UInt32) {
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        if let number = try AccountID.parse(user) {
            uid = number
            gid = number
        } else if let entry = accounts.user(named: user) {
            (uid, gid) = (entry.uid, entry.gid)
        }
        if let group, !group.isEmpty {
            if let number = try AccountID.parse(group) {
                gid = number
            } else if let named = accounts.group(named: group) {
                gid = named.gid
            }
        }
        try AccountID.check(uid)
        try AccountID.check(gid)
        return (uid, gid)
    }
}
