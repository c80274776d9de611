#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
public import HoistBuild
import HoistStore

extension Client {
    /// The steps of the last build started on this store (``build(_:)``), by number, with
    /// the size of each one's kept output; empty when no build has run. Their whole output is
    /// in ``buildLogFile(_:)``, however long.
    public func lastBuildSteps() throws -> [StepLogs.Step] {
        guard let directory = lastBuildLogs else { return [] }
        return try StepLogs.read(from: directory)
    }

    /// The step of the last build `step` names — its number, its name as progress shows it
    /// (`[2/3] RUN make`), or a part of that name only one step has — and the file holding
    /// its whole output. Throws `notFound` when no step (or no build) matches, and
    /// `invalidArgument` when several do.
    public func buildLogFile(_ step: String) throws -> (step: StepLogs.Step, file: URL) {
        guard let directory = lastBuildLogs else { throw ClientError(.notFound, "no build has run on this store") }
        let steps = try StepLogs.read(from: directory)
        let chosen: StepLogs.Step
        if let number = Int(step) {
            guard let found = steps.first(where: { $0.index == number }) else {
                throw ClientError(.notFound, "the last build has no step \(number) (it had \(steps.count))")
            }
            chosen = found
        } else if let exact = steps.first(where: { $0.name == step }) {
            chosen = exact
        } else {
            let matches = steps.filter { $0.name.contains(step) }
            guard let found = matches.first else { throw ClientError(.notFound, "the last build has no step named \(step)") }
            guard matches.count == 1 else {
                throw ClientError(
                    .invalidArgument,
                    "\(step) names \(matches.count) steps of the last build: \(matches.map { "\($0.index) \($0.name)" }.joined(separator: ", "))")
            }
            chosen = found
        }
        return (chosen, chosen.logFile(in: directory))
    }

    /// `builds/last` of the store, resolved: the directory of the last build's logs.
    var lastBuildLogs: URL? {
        let last = buildLogsRoot.appendingPathComponent("last")
        guard let name = try? FileManager.default.destinationOfSymbolicLink(atPath: last.path) else { return nil }
        return buildLogsRoot.appendingPathComponent(name)
    }

    private var buildLogsRoot: URL { store.root.url.appendingPathComponent("builds", isDirectory: true) }

    /// A new record of step logs, made the last build's: `builds/last` points at it from now,
    /// and the logs of earlier builds go — except those of builds still running (another
    /// process may be building on this store), which hold their directory's lock until they
    /// end or die. The returned hold is released when the build is done with its logs.
    func startBuildLogs() throws -> (logs: StepLogs, hold: BuildLogsHold) {
        let name = UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(at: buildLogsRoot, withIntermediateDirectories: true)
        // Held before the directory exists: a directory whose hold is free is a finished build's.
        let hold = try BuildLogsHold(name, in: buildLogsRoot)
        let logs = try StepLogs(directory: buildLogsRoot.appendingPathComponent(name))
        // A new link renamed over the old one: a reader sees either build's, never none.
        let link = buildLogsRoot.appendingPathComponent(".last-\(name)").path
        guard symlink(name, link) == 0 else {
            throw ClientError(.failedPrecondition, "cannot write \(link): \(String(cString: strerror(errno)))")
        }
        guard rename(link, buildLogsRoot.appendingPathComponent("last").path) == 0 else {
            unlink(link)
            throw ClientError(.failedPrecondition, "cannot write \(buildLogsRoot.path)/last: \(String(cString: strerror(errno)))")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: buildLogsRoot.path)) ?? []
        for entry in entries where entry != name && entry != "last" && !entry.hasPrefix(".") {
            // Taken only when no build holds it: a running build's logs stay.
            guard let other = try? BuildLogsHold(entry, in: buildLogsRoot) else { continue }
            try? FileManager.default.removeItem(at: buildLogsRoot.appendingPathComponent(entry))
            other.release(removing: true)
        }
        return (logs, hold)
    }
}

/// A build's claim on its logs directory `NAME`: an exclusive `flock` on `.held-NAME` beside
/// it, taken before the directory is made and held while the build runs (the kernel lets it
/// go if the process dies), so another build never removes logs still being written.
final class BuildLogsHold: Sendable {
    private let descriptor: Int32
    private let path: String

    /// Holds `name` in `root`; throws when another process holds it.
    init(_ name: String, in root: URL) throws {
        path = root.appendingPathComponent(".held-\(name)").path
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw ClientError(.failedPrecondition, "cannot hold the build logs \(path): \(reason)")
        }
    }

    /// Lets go of the logs; with `removing`, after its directory went, of the lock file too.
    func release(removing: Bool = false) {
        if removing { unlink(path) }
        close(descriptor)
    }
}
