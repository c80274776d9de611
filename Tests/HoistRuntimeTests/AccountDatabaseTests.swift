import Foundation
import HoistArchive
import HoistRuntime
import HoistTestSupport
import Testing

/// Users and groups as both `--chown` and container users read them: inside the root only.
struct AccountDatabaseTests {
    @Test func entriesAreParsedAndLookedUpAsTheCLibraryDoes() throws {
        let directory = try TemporaryDirectory()
        let root = directory.appending("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try Data("""
            # comment
            root:x:0:0:root:/root:/bin/sh
            app:x:1000:1000::/home/app:/bin/sh
            app:x:1001:1001::/elsewhere:/bin/sh
            nohome:x:1002:1002::
            broken:x:notanumber:1
            """.utf8).write(to: root.appendingPathComponent("etc/passwd"))
        try Data("root:x:0:\nstaff:x:50:app,other\n".utf8).write(to: root.appendingPathComponent("etc/group"))

        let accounts = AccountDatabase(root: try RootedPath(root: root.path))
        #expect(accounts.users.map(\.name) == ["root", "app", "app", "nohome"])
        #expect(accounts.user(named: "app")?.uid == 1000, "the first entry of a name wins")
        #expect(accounts.user(id: 1001)?.home == "/elsewhere")
        #expect(accounts.user(named: "nohome")?.home == "/")
        #expect(accounts.group(named: "staff")?.members == ["app", "other"])
    }

    @Test func aSymlinkedPasswdCannotLeadToTheHosts() throws {
        let directory = try TemporaryDirectory()
        let root = directory.appending("root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        // Both resolve inside the root (to themselves): the host's files are not read.
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("etc/passwd").path, withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("etc/group").path, withDestinationPath: "../../../../../../../etc/group")
        let accounts = AccountDatabase(root: try RootedPath(root: root.path))
        #expect(accounts.users.isEmpty)
        #expect(accounts.groups.isEmpty, "the host's /etc/group has entries; the root's has none")
    }
}
