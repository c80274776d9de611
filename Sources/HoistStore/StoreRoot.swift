public import Foundation
import HoistOCI

#if canImport(Glibc)
    import Glibc
#endif

/// Where a store keeps its files: `blobs/sha256/…`, `tmp/`, `snapshots/`, `containers/`, `hoist.db`, `locks/`.
///
/// Each process has a work directory of its own under `tmp/`, named after it
/// (``ProcessIdentity/tag``): its ingest files, mount points and runtime bundles go there, so
/// that what a killed process left is known to be dead work (see ``Store/recoverDeadWork()``).
public struct StoreRoot: Sendable, Hashable {
    /// The root directory.
    public let url: URL

    public init(_ url: URL) {
        self.url = url.standardizedFileURL
    }

    /// `$HOIST_ROOT` when set and not empty; otherwise `/var/lib/hoist` for root and
    /// `$XDG_DATA_HOME/hoist` (default `~/.local/share/hoist`) for anyone else.
    public static func `default`(environment: [String: String] = ProcessInfo.processInfo.environment) -> StoreRoot {
        if let root = environment["HOIST_ROOT"], !root.isEmpty {
            return StoreRoot(URL(fileURLWithPath: root, isDirectory: true))
        }
        // In a rootless session root is the user: their store, not the host's.
        if HostUser.id == 0 {
            return StoreRoot(URL(fileURLWithPath: "/var/lib/hoist", isDirectory: true))
        }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            return StoreRoot(URL(fileURLWithPath: data, isDirectory: true).appendingPathComponent("hoist"))
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return StoreRoot(home.appendingPathComponent(".local/share/hoist", isDirectory: true))
    }

    public var blobs: URL { url.appendingPathComponent("blobs", isDirectory: true) }
    /// This process's work directory, `tmp/PID-STARTTIME-BOOTID`: everything in it is this
    /// process's unfinished work, removed when it exits or, after a crash, by the next hoist
    /// command.
    public var temporary: URL { workDirectories.appendingPathComponent(ProcessIdentity.current.tag, isDirectory: true) }
    /// `tmp/`: the work directories of all processes.
    public var workDirectories: URL { url.appendingPathComponent("tmp", isDirectory: true) }
    public var snapshots: URL { url.appendingPathComponent("snapshots", isDirectory: true) }
    public var locks: URL { url.appendingPathComponent("locks", isDirectory: true) }
    public var database: URL { url.appendingPathComponent("hoist.db") }
    /// One directory per container: its bundle, logs and exit status.
    public var containers: URL { url.appendingPathComponent("containers", isDirectory: true) }

    /// Where OCI runtime bundles of short-lived containers (RUN steps, `run --rm`) are made:
    /// `bundles` in this process's work directory in memory (``memoryWorkDirectories``), so a
    /// bundle's `config.json` — which holds the environment, secrets passed as variables
    /// included — never reaches a disk, and what a killed process leaves there is dead work the
    /// next command removes. Without `/dev/shm`, the store's `tmp/PROCESS/bundles`.
    ///
    /// Throws `failedPrecondition` when `/dev/shm/hoist-UID` exists but is not a private
    /// directory of this user's (another user made it first).
    public func bundles() throws -> URL {
        guard let memory = memoryWorkDirectories else {
            return temporary.appendingPathComponent("bundles", isDirectory: true)
        }
        let mine = memory.deletingLastPathComponent().path
        var status = stat()
        if mkdir(mine, Self.privateMode) != 0 {
            let code = errno
            guard code == EEXIST, lstat(mine, &status) == 0 else {
                throw StoreError(errnoCode(code), "cannot create \(mine): \(String(cString: strerror(code)))")
            }
            guard status.st_mode & S_IFMT == S_IFDIR, status.st_uid == geteuid(), status.st_mode & 0o077 == 0 else {
                throw StoreError(
                    .failedPrecondition,
                    "\(mine) is not a private directory of user \(HostUser.id): another user may have made it; remove it and try again")
            }
        }
        let work = memory.appendingPathComponent(ProcessIdentity.current.tag, isDirectory: true)
        // The store's directory goes when its last work directory does: made again if it went
        // between the two.
        for attempt in 1...3 {
            guard mkdir(memory.path, Self.privateMode) == 0 || errno == EEXIST else {
                let code = errno
                throw StoreError(errnoCode(code), "cannot create \(memory.path): \(String(cString: strerror(code)))")
            }
            do {
                try WorkDirectory.create(work)
                break
            } catch let error as StoreError where error.code == .notFound && attempt < 3 {
                continue
            }
        }
        let bundles = work.appendingPathComponent("bundles", isDirectory: true)
        guard mkdir(bundles.path, Self.privateMode) == 0 || errno == EEXIST else {
            let code = errno
            throw StoreError(errnoCode(code), "cannot create \(bundles.path): \(String(cString: strerror(code)))")
        }
        return bundles
    }

    /// `/dev/shm/hoist-UID/STORE`: this store's work directories in memory, one per process as
    /// under `tmp/`; nil where there is no `/dev/shm`.
    public var memoryWorkDirectories: URL? {
        var status = stat()
        guard stat("/dev/shm", &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { return nil }
        // By the user's own id, not the rootless session's root: root's directory is not theirs.
        return URL(fileURLWithPath: "/dev/shm/hoist-\(HostUser.id)/\(Digest(of: Data(url.path.utf8)).encoded.prefix(16))", isDirectory: true)
    }

    /// The mode of the root and the directories Hoist makes in it: the store holds other
    /// people's images — setuid binaries, device nodes, secrets in flight — that no other local
    /// user may reach (Docker keeps `/var/lib/docker` at 0710 for the same reason).
    public static let privateMode: mode_t = 0o700

    /// Creates the root's directories if they are missing, private to this user
    /// (``privateMode``), and makes an existing root private again if it is open to others
    /// (a store made by an earlier Hoist, or by hand). Missing parents of the root are made
    /// 0755, as `mkdir -p` makes them. Throws `StoreError` naming the directory and the
    /// system's reason.
    func createDirectories() throws {
        try Self.makeParents(of: url.path)
        try makePrivateRoot()
        for dir in [blobs, blobs.appendingPathComponent("sha256"), blobs.appendingPathComponent("sha512"), workDirectories, snapshots, locks] {
            try Self.makePrivateDirectory(dir.path)
        }
        try WorkDirectory.create(temporary)
    }

    /// Makes the root a directory of ``privateMode``. An existing root open to others is closed
    /// when it is a store already or empty; any other directory is refused, since closing it
    /// could break what else lives there (`HOIST_ROOT=/tmp`).
    private func makePrivateRoot() throws {
        let path = url.path
        if mkdir(path, Self.privateMode) == 0 { return }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_mode & 0o077 != 0 else {
            return try Self.makePrivateDirectory(path)
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        guard entries.isEmpty || FileManager.default.fileExists(atPath: database.path) else {
            throw StoreError(
                .failedPrecondition,
                "cannot keep a store in \(path): it holds other files and is open to other users (mode \(String(status.st_mode & 0o7777, radix: 8))); use a new or empty directory")
        }
        try Self.makePrivateDirectory(path)
    }

    /// Makes `path` a directory of ``privateMode`` unless it is one; a directory that is open
    /// to group or others is closed to them.
    static func makePrivateDirectory(_ path: String) throws {
        if mkdir(path, privateMode) == 0 { return }
        let created = errno
        var status = stat()
        guard created == EEXIST, stat(path, &status) == 0 else {
            throw StoreError(errnoCode(created), "cannot create store directory \(path): \(String(cString: strerror(created)))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw StoreError(.failedPrecondition, "cannot use \(path) as a store directory: it is not a directory")
        }
        if status.st_mode & 0o077 != 0, status.st_uid == geteuid() || geteuid() == 0 {
            try systemCall("cannot make store directory \(path) private") { chmod(path, status.st_mode & 0o700) }
        }
    }

    /// Makes the missing ancestors of `path` (0755).
    private static func makeParents(of path: String) throws {
        var prefix = ""
        for component in path.split(separator: "/").dropLast() {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                let code = errno
                throw StoreError(errnoCode(code), "cannot create store directory \(prefix): \(String(cString: strerror(code)))")
            }
        }
    }
}
