import HoistArchive
import HoistOCI
import HoistRuntime

/// Resolves `--chown=user:group` as Docker does against the destination's users and groups:
/// names looked up in its `/etc/passwd` and `/etc/group` (read inside the root), numbers taken
/// as they are.
struct UserDatabase {
    private let accounts: AccountDatabase

    init(root: String) throws {
        accounts = AccountDatabase(root: try RootedPath(root: root))
    }

    /// `user[:group]` as numeric ids. A user alone takes its primary group when it is a name,
    /// and the same number when numeric (Docker's `--chown=1000` means 1000:1000).
    func resolve(user: String, group: String?) throws -> (uid: UInt32, gid: UInt32) {
        let uid: UInt32
        var gid: UInt32
        if let number = try AccountID.parse(user) {
            uid = number
            gid = number
        } else if let entry = accounts.user(named: user) {
            (uid, gid) = (entry.uid, entry.gid)
        } else {
            throw BuildError(.notFound, "unable to find user \(user): no matching entries in /etc/passwd")
        }
        if let group, !group.isEmpty {
            if let number = try AccountID.parse(group) {
                gid = number
            } else if let named = accounts.group(named: group) {
                gid = named.gid
            } else {
                throw BuildError(.notFound, "unable to find group \(group): no matching entries in /etc/group")
            }
        }
        try AccountID.check(uid)
        try AccountID.check(gid)
        return (uid, gid)
    }
}
