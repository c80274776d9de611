import Foundation

/// Users and groups of a root filesystem (`/etc/passwd`, `/etc/group`), to resolve
/// `--chown=name:group` as Docker does: names looked up in the destination image, numbers taken
/// as they are.
struct UserDatabase {
    private var users: [String: (uid: UInt32, gid: UInt32)] = [:]
    private var groups: [String: UInt32] = [:]

    init(root: String) {
        for line in Self.lines(root + "/etc/passwd") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 4, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) else { continue }
            users[String(fields[0])] = (uid, gid)
        }
        for line in Self.lines(root + "/etc/group") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 3, let gid = UInt32(fields[2]) else { continue }
            groups[String(fields[0])] = gid
        }
    }

    /// `user[:group]` as numeric ids. A user alone takes its primary group when it is a name,
    /// and the same number when numeric (Docker's `--chown=1000` means 1000:1000).
    func resolve(user: String, group: String?) throws -> (uid: UInt32, gid: UInt32) {
        let uid: UInt32
        var gid: UInt32
        if let number = UInt32(user) {
            uid = number
            gid = number
        } else if let entry = users[user] {
            (uid, gid) = entry
        } else {
            throw BuildError(.notFound, "unable to find user \(user): no matching entries in /etc/passwd")
        }
        if let group, !group.isEmpty {
            if let number = UInt32(group) {
                gid = number
            } else if let named = groups[group] {
                gid = named
            } else {
                throw BuildError(.notFound, "unable to find group \(group): no matching entries in /etc/group")
            }
        }
        return (uid, gid)
    }

    private static func lines(_ path: String) -> [Substring] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }
    }
}
