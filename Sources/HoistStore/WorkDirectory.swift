#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Synchronization

/// The work directories of processes under a store's `tmp/` (``StoreRoot/temporary``): one per
/// process, named after it, holding its ingest files, mount points and runtime bundles, and
/// `undo/`: commands to run should the process die before it has undone what they undo (a
/// runtime's container deleted). A directory whose process has ended is dead work: the next
/// hoist command kills the processes still working in it, runs its undo commands, unmounts
/// what is mounted in it and removes it. A process removes its own when it exits.
public enum WorkDirectory {
    /// The directories this process made, removed when it exits.
    private static let made = Mutex<Set<String>>([])

    /// Creates this process's work directory `url` (private to its owner) if it is missing.
    static func create(_ url: URL) throws {
        let path = url.path
        let isNew = made.withLock { $0.insert(path).inserted }
        guard isNew else { return }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            made.withLock { _ = $0.remove(path) }
            throw StoreError(errnoCode(errno), "cannot create the work directory \(path): \(String(cString: strerror(errno)))")
        }
        _ = registerExitHandler
    }

    private static let registerExitHandler: Void = {
        _ = atexit { WorkDirectory.removeOwnDirectories() }
    }()

    private static func removeOwnDirectories() {
        for path in made.withLock({ $0 }) { clean(path) }
    }

    /// Records `command` (a program and its arguments) to be run should this process end
    /// before ``removeUndo(_:)`` — by the next hoist command that finds the process dead. The
    /// record goes in the work directory `path` is in or beside (a runtime's bundle directory);
    /// nil, and nothing recorded, when that is not this process's work directory.
    public static func registerUndo(_ command: [String], near path: String) throws -> String? {
        var candidate = URL(fileURLWithPath: path).standardizedFileURL
        while candidate.lastPathComponent != ProcessIdentity.current.tag {
            guard candidate.path != "/" else { return nil }
            candidate.deleteLastPathComponent()
        }
        let directory = candidate.appendingPathComponent("undo").path
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw StoreError(errnoCode(errno), "cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        let path = directory + "/" + UUID().uuidString.lowercased()
        var bytes: [UInt8] = []
        for argument in command { bytes += Array(argument.utf8) + [0] }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw StoreError(.unavailable, "cannot record how to undo \(command.joined(separator: " "))", underlying: error)
        }
        return path
    }

    /// Forgets an undo record: what it undoes is done.
    public static func removeUndo(_ path: String) {
        unlink(path)
    }

    /// The places that hold `root`'s work directories: `tmp/` and its directory in memory.
    private static func parents(in root: StoreRoot) -> [String] {
        [root.workDirectories.path] + (root.memoryWorkDirectories.map { [$0.path] } ?? [])
    }

    /// The work directories of `root` whose process has ended.
    static func dead(in root: StoreRoot) -> [String] {
        parents(in: root).flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).compactMap { name -> String? in
                guard let owner = ProcessIdentity(tag: name), owner != ProcessIdentity.current, !owner.isRunning else { return nil }
                return directory + "/" + name
            }
        }
    }

    /// Entries beside the work directories that are no process's: left by versions of hoist
    /// that kept their work directly in `tmp/` or their bundles in one directory.
    static func legacyEntries(in root: StoreRoot) -> [String] {
        parents(in: root).flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { ProcessIdentity(tag: $0) == nil }.map { directory + "/" + $0 }
        }
    }

    /// Undoes and removes the work directory `path` of a process that has ended (or is ending).
    static func clean(_ path: String) {
        let undo = path + "/undo"
        let records = ((try? FileManager.default.contentsOfDirectory(atPath: undo)) ?? []).map { undo + "/" + $0 }
        if !records.isEmpty {
            // The runtimes the process started are its children no more, and may still be
            // setting a container up from a bundle here: they go first.
            StaleWork.killProcesses(mentioning: path + "/")
            for record in records {
                if let data = FileManager.default.contents(atPath: record) {
                    StaleWork.runQuietly(data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
                }
                unlink(record)
            }
        }
        StaleWork.unmountAll(under: path)
        // Never delete through a mount into a snapshot.
        if !StaleWork.mountPoints().contains(where: { $0.hasPrefix(path + "/") }) {
            try? FileManager.default.removeItem(atPath: path)
        }
        // A store's directory in memory goes with its last work directory (made again when needed).
        let parent = (path as NSString).deletingLastPathComponent
        if parent.hasPrefix("/dev/shm/") { rmdir(parent) }
    }
}
