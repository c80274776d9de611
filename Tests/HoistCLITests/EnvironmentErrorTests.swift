import Foundation
import HoistTestSupport
import Testing

/// What an unprivileged user sees when the environment does not allow what they ask (issue 19),
/// run as real users the test makes: without subordinate ids (no rootless mode) one line saying
/// Hoist needs root or rootless mode and how to get it (for `hoist`, and for a Swift program's
/// first mount); with a store they cannot write, one line naming the path and the fix. Never a
/// mount's EPERM or a Foundation or SQLite error dump.
/// The users go afterwards, and the rootless session's holder with them (by its id).
@Suite(
    "Errors for the environment", .serialized,
    .enabled(if: Interop.isRoot && Interop.available("useradd") && Interop.available("setpriv") && Interop.available("newuidmap")))
final class EnvironmentErrorTests {
    /// A system user: `useradd --system` gives it no subordinate ids.
    static let plainUser = "hoist-plain"
    /// A user with subordinate ids: rootless mode works for it.
    static let rootlessUser = "hoist-storeless"

    let directory: TemporaryDirectory
    let hoist: String
    /// A store root made: the user may read it, not write it.
    let rootsStore: URL

    init() throws {
        directory = try TemporaryDirectory()
        chmod(directory.path, 0o755)
        hoist = directory.appending("hoist").path
        try FileManager.default.copyItem(atPath: Interop.hoistExecutable, toPath: hoist)
        for (user, system) in [(Self.plainUser, true), (Self.rootlessUser, false)]
        where try ExternalCommand.run(["id", "-u", user]).status != 0 {
            try ExternalCommand.checked(["useradd", "--no-create-home", "--shell", "/bin/sh"] + (system ? ["--system"] : []) + [user])
        }
        rootsStore = directory.appending("roots-store")
        try Interop.hoist(["images"], root: rootsStore).checkedStatus()
        chmod(rootsStore.path, 0o755)
    }

    deinit {
        // The rootless session's holder, by the id it wrote down.
        let pidFile = directory.appending("run-\(Self.rootlessUser)/hoist/userns.pid")
        if let pid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
            kill(pid, SIGKILL)
        }
        for user in [Self.plainUser, Self.rootlessUser] { _ = try? ExternalCommand.run(["userdel", user]) }
    }

    /// `hoist ARGUMENTS` as `user`, with the store `root` and a runtime directory of its own.
    private func run(as user: String, _ arguments: [String], root: URL) throws -> ExternalCommand.Output {
        let runtime = directory.appending("run-\(user)")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        try ExternalCommand.checked(["chown", "\(user):", runtime.path])
        chmod(runtime.path, 0o700)
        return try ExternalCommand.run(
            ["setpriv", "--reuid=\(user)", "--regid=\(user)", "--init-groups", "--reset-env",
             "env", "HOME=\(runtime.path)", "HOIST_ROOT=\(root.path)", "XDG_RUNTIME_DIR=\(runtime.path)",
             "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", hoist] + arguments,
            directory: directory.url)
    }

    @Test func withoutRootlessModeOneLineSaysWhatToDo() throws {
        let store = directory.appending("plain-store")
        for (arguments, status) in [(["images"], Int32(1)), (["run", "--rm", "--pull", "never", "busybox", "true"], 125)] {
            let output = try run(as: Self.plainUser, arguments, root: store)
            let lines = output.errorText.split(separator: "\n")
            #expect(output.status == status, "\(arguments): exit \(output.status): \(output.errorText)")
            #expect(lines.count == 1, "one line, not \(lines.count): \(output.errorText)")
            #expect(lines.first?.hasPrefix("hoist: this needs root or rootless mode: ") == true, "\(output.errorText)")
            #expect(output.errorText.contains("usermod --add-subuids") && output.errorText.contains(Self.plainUser), "\(output.errorText)")
            #expect(!output.errorText.contains("Operation not permitted"), "\(output.errorText)")
        }
        #expect(!FileManager.default.fileExists(atPath: store.path), "nothing is made before the check")
    }

    /// A Swift program run by an unprivileged user without entering the rootless session
    /// (`examples/build-in-code`): its first mount says what it takes, not "Operation not permitted".
    @Test func aProgramOutsideTheRootlessSessionIsToldWhatItTakes() throws {
        let program = directory.appending("build-in-code").path
        try FileManager.default.copyItem(atPath: Interop.builtExecutable("build-in-code"), toPath: program)
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        chmod(rootfs.path, 0o644)
        let runtime = directory.appending("run-\(Self.rootlessUser)")
        _ = try run(as: Self.rootlessUser, ["version"], root: runtime.appendingPathComponent("store"))
        let output = try ExternalCommand.run(
            ["setpriv", "--reuid=\(Self.rootlessUser)", "--regid=\(Self.rootlessUser)", "--init-groups", "--reset-env",
             "env", "HOME=\(runtime.path)", "HOIST_ROOT=\(runtime.path)/program-store", "XDG_RUNTIME_DIR=\(runtime.path)",
             "PATH=/usr/sbin:/usr/bin:/sbin:/bin", program, rootfs.path],
            directory: directory.url)
        #expect(output.status != 0)
        #expect(output.errorText.split(separator: "\n").count == 1, "\(output.errorText)")
        #expect(output.errorText.contains(": this needs root or rootless mode: cannot mount ")
                && output.errorText.contains("Client.enterRootlessSessionIfNeeded()"), "\(output.errorText)")
        #expect(!output.errorText.contains("Operation not permitted"), "\(output.errorText)")
    }

    @Test func aStoreTheUserCannotWriteIsOneLineWithTheFix() throws {
        let missingUnder = rootsStore.appendingPathComponent("below")
        let cases: [(arguments: [String], root: URL, path: String, status: Int32)] = [
            (["images"], rootsStore, rootsStore.path, 1),
            (["run", "--rm", "--pull", "never", "busybox", "true"], rootsStore, rootsStore.path, 125),
            // A store yet to be made, in a directory the user cannot write.
            (["images"], missingUnder, rootsStore.path, 1),
        ]
        for (arguments, root, path, status) in cases {
            let output = try run(as: Self.rootlessUser, arguments, root: root)
            let lines = output.errorText.split(separator: "\n")
            #expect(output.status == status, "\(arguments): exit \(output.status): \(output.errorText)")
            #expect(lines.count == 1, "one line, not \(lines.count): \(output.errorText)")
            #expect(lines.first?.hasPrefix("hoist: cannot write the store \(root.path) as user \(Self.rootlessUser): \(path): Permission denied;") == true,
                    "\(output.errorText)")
            #expect(output.errorText.contains("--root DIR or HOIST_ROOT=DIR") && output.errorText.contains("chown -R \(Self.rootlessUser) \(root.path)"),
                    "\(output.errorText)")
        }
        // The user's own directory, but a database made by root in it (`sudo hoist` on the
        // user's store): refused when opened, not at the first write with SQLite's words.
        let mixed = directory.appending("mixed-store")
        try Interop.hoist(["images"], root: mixed).checkedStatus()
        try ExternalCommand.checked(["chown", "-R", "\(Self.rootlessUser):", mixed.path])
        try ExternalCommand.checked(["chown", "root:", mixed.appendingPathComponent("hoist.db").path])
        let output = try run(as: Self.rootlessUser, ["images"], root: mixed)
        #expect(output.status == 1 && output.errorText.split(separator: "\n").count == 1, "\(output.errorText)")
        #expect(output.errorText.contains("\(mixed.path)/hoist.db: Permission denied"), "\(output.errorText)")
        #expect(!output.errorText.contains("SQLite"), "\(output.errorText)")
        // Their own store works.
        let own = try run(as: Self.rootlessUser, ["images", "-q"], root: directory.appending("run-\(Self.rootlessUser)/store"))
        #expect(own.status == 0, "\(own.errorText)")
    }
}
