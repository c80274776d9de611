public import Foundation

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
        if getuid() == 0 {
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

    /// Creates the root's directories if they are missing.
    func createDirectories() throws {
        for dir in [url, blobs, blobs.appendingPathComponent("sha256"), blobs.appendingPathComponent("sha512"),
                    workDirectories, snapshots, locks] {
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.failedPrecondition, "cannot create store directory \(dir.path)", underlying: error)
            }
        }
        try WorkDirectory.create(temporary)
    }
}
