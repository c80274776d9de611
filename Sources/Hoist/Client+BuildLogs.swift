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
    /// and the previous build's logs go.
    func startBuildLogs() throws -> StepLogs {
        let name = UUID().uuidString.lowercased()
        let logs = try StepLogs(directory: buildLogsRoot.appendingPathComponent(name))
        let previous = try? FileManager.default.destinationOfSymbolicLink(atPath: buildLogsRoot.appendingPathComponent("last").path)
        // A new link renamed over the old one: a reader sees either build's, never none.
        let link = buildLogsRoot.appendingPathComponent(".last-\(name)").path
        guard symlink(name, link) == 0 else {
            throw ClientError(.failedPrecondition, "cannot write \(link): \(String(cString: strerror(errno)))")
        }
        guard rename(link, buildLogsRoot.appendingPathComponent("last").path) == 0 else {
            unlink(link)
            throw ClientError(.failedPrecondition, "cannot write \(buildLogsRoot.path)/last: \(String(cString: strerror(errno)))")
        }
        if let previous, !previous.contains("/"), previous != name {
            try? FileManager.default.removeItem(at: buildLogsRoot.appendingPathComponent(previous))
        }
        return logs
    }
}
