#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistArchive
import HoistOCI
import HoistStore

/// How an unprivileged user runs Hoist: inside a user namespace where root is that user and
/// the user's subordinate ids (`/etc/subuid`, `/etc/subgid`) are the other users of images,
/// with a mount namespace of its own — there overlayfs, runc and crun work as for root, and no
/// setuid helper is needed beyond the distribution's `newuidmap`/`newgidmap`.
///
/// The namespaces are made once and held by a small process (`sleep infinity`, its id in
/// `$XDG_RUNTIME_DIR/hoist/userns.pid`), as Podman's pause process holds them: every later
/// Hoist process joins them with `nsenter`, so kept containers, their mounts and the store look
/// the same to each. A reboot ends the holder; the next command makes a new one.
public enum RootlessSession {
    /// The holder's id file and lock, in the user's runtime directory.
    static func directory() -> URL { HostUser.runtimeDirectory().appendingPathComponent("hoist") }

    /// Re-executes this program (`/proc/self/exe` with the same arguments, environment and
    /// working directory) inside the rootless session when it runs as an unprivileged user, and
    /// does not return then; returns at once for root and inside the session.
    ///
    /// Throws `failedPrecondition` with what to do when the user has no subordinate ids or
    /// `newuidmap` is missing, and `unavailable` when the namespaces cannot be made.
    public static func enterIfNeeded(arguments: [String] = CommandLine.arguments) throws {
        guard geteuid() != 0 else { return }
        let holder: Int32
        let nsenter: String
        do {
            holder = try holderProcess()
            nsenter = try ExternalProcess.resolve("nsenter")
        } catch let error as RuntimeError {
            // What an unprivileged user sees first: why, and what makes the session possible.
            throw RuntimeError(error.code, "this needs root or rootless mode: \(error.message)", underlying: error.underlying)
        }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let command = [nsenter, "--user", "--mount", "--target", String(holder), "--wd=" + FileManager.default.currentDirectoryPath,
                       "--", executable] + arguments.dropFirst()
        let argv = command.map { strdup($0) } + [nil]
        execv(nsenter, argv)
        throw RuntimeError(.unavailable, "cannot enter the rootless session: exec \(nsenter): \(String(cString: strerror(errno)))")
    }

    /// Checks that this user can have a rootless session (subordinate ids, `newuidmap`), and
    /// returns the subordinate user ids as text. Throws `failedPrecondition` saying what is missing.
    public static func requirements() throws -> String {
        let uid = geteuid() == 0 ? HostUser.id : geteuid()
        let range = try subordinateRange(file: "/etc/subuid", name: userName(uid), id: uid)
        if geteuid() != 0 {
            for helper in ["newuidmap", "newgidmap", "nsenter", "unshare"] where (try? ExternalProcess.resolve(helper)) == nil {
                throw RuntimeError(
                    .failedPrecondition, "running Hoist as an unprivileged user needs \(helper): install the packages uidmap and util-linux")
            }
        }
        return "\(range.start)-\(range.start + range.count - 1)"
    }

    /// The id of the process holding the session's namespaces: the running one, or one made now.
    static func holderProcess() throws -> Int32 {
        let directory = directory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let lock = open(directory.appendingPathComponent("userns.lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            throw RuntimeError(.unavailable, "cannot lock \(directory.path)/userns.lock: \(String(cString: strerror(errno)))")
        }
        defer { close(lock) }
        flock(lock, LOCK_EX)
        let pidFile = directory.appendingPathComponent("userns.pid")
        if let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
            isHolder(pid)
        {
            return pid
        }
        let pid = try makeHolder(in: directory)
        try String(pid).write(to: pidFile, atomically: true, encoding: .utf8)
        return pid
    }

    /// Whether `pid` is a live holder: `sleep` in a user namespace other than this process's.
    static func isHolder(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0,
            let command = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8), command.hasPrefix("sleep"),
            let theirs = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/user"),
            let ours = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/user")
        else { return false }
        return theirs != ours
    }

    /// Starts a holder in new user and mount namespaces, maps its ids and lets it settle into
    /// `sleep infinity`; returns its id.
    private static func makeHolder(in directory: URL) throws -> Int32 {
        let uid = geteuid()
        let gid = getegid()
        let name = userName(uid)
        let users = try subordinateRange(file: "/etc/subuid", name: name, id: uid)
        let groups = try subordinateRange(file: "/etc/subgid", name: name, id: gid)
        let newuidmap: String
        let newgidmap: String
        do {
            newuidmap = try ExternalProcess.resolve("newuidmap")
            newgidmap = try ExternalProcess.resolve("newgidmap")
        } catch {
            throw RuntimeError(
                .failedPrecondition,
                "running Hoist as an unprivileged user needs newuidmap and newgidmap: install the package uidmap")
        }
        let gate = directory.appendingPathComponent("userns-\(getpid()).gate").path
        let announced = gate + ".pid"
        unlink(gate)
        unlink(announced)
        guard mkfifo(gate, 0o600) == 0 else {
            throw RuntimeError(.unavailable, "cannot make \(gate): \(String(cString: strerror(errno)))")
        }
        defer {
            unlink(gate)
            unlink(announced)
        }
        // In its namespaces the holder says its id, waits until its ids are mapped, then sleeps.
        // Its output is let go of first: the pipes Hoist reads until they close would stay open.
        let script = #"exec </dev/null >/dev/null 2>&1; echo $$ > "$0.pid"; read _ < "$0"; exec sleep infinity"#
        var start = ExternalProcess(
            try ExternalProcess.resolve("setsid"),
            ["-f", try ExternalProcess.resolve("unshare"), "--user", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, gate])
        start.standardOutput = .discard
        start.standardError = .collect
        let started = try start.runBlocking()
        guard started.status == .exited(0) else {
            throw RuntimeError(
                .unavailable,
                "cannot make the rootless session's user namespace (are unprivileged user namespaces allowed? sysctl kernel.unprivileged_userns_clone=1): \(started.errorText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        var pid: Int32?
        for _ in 0..<400 where pid == nil {
            pid = (try? String(contentsOfFile: announced, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if pid == nil { usleep(5_000) }
        }
        guard let pid else { throw RuntimeError(.unavailable, "the rootless session's namespaces did not start") }
        for (program, own, range) in [(newuidmap, uid, users), (newgidmap, gid, groups)] {
            let mapped = try ExternalProcess(program, ["\(pid)", "0", "\(own)", "1", "1", "\(range.start)", "\(range.count)"]).runBlocking()
            guard mapped.status == .exited(0) else {
                kill(pid, SIGKILL)
                throw RuntimeError(.unavailable, "\(program) could not map the ids of the rootless session: \(mapped.errorText)")
            }
        }
        let fd = open(gate, O_WRONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = write(fd, "\n", 1)
            close(fd)
        }
        return pid
    }

    /// The first range `/etc/subuid` (or `/etc/subgid`) gives the user, by name or id.
    static func subordinateRange(file: String, name: String?, id: UInt32) throws -> (start: UInt32, count: UInt32) {
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 3, fields[0] == name || fields[0] == String(id),
                let start = UInt32(fields[1]), let count = UInt32(fields[2]), count > 0
            else { continue }
            return (start, count)
        }
        throw RuntimeError(
            .failedPrecondition,
            "user \(name ?? String(id)) has no subordinate ids in \(file), which rootless mode maps to the users of images; as root, give some (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 \(name ?? String(id))), or run hoist as root")
    }

    private static func userName(_ uid: uid_t) -> String? {
        guard let entry = getpwuid(uid) else { return nil }
        return String(cString: entry.pointee.pw_name)
    }
}
