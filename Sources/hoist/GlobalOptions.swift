import ArgumentParser
import Foundation
import Hoist
import HoistStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store directory (default: $HOIST_ROOT, else /var/lib/hoist as root, ~/.local/share/hoist otherwise).", valueName: "dir"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp(
        "Where containers run: native (default), docker, containerd, or auto — the first of docker, containerd and native that answers (also $HOIST_BACKEND).",
        valueName: "backend"))
    var backend: String?

    /// The backend asked for: `--backend`, else `$HOIST_BACKEND`, else native.
    var backendName: String {
        backend ?? ProcessInfo.processInfo.environment["HOIST_BACKEND"].flatMap { $0.isEmpty ? nil : $0 } ?? "native"
    }

    /// A client on the chosen store and backend (`auto`: the first that passes a health check).
    func client() async throws -> Client {
        let name = backendName
        guard let chosen = Backend(rawValue: name) else {
            throw ValidationError("unknown backend \"\(name)\": use native, docker, containerd or auto")
        }
        // An unprivileged user's native commands run in the rootless session (this call then
        // executes hoist again there and does not return).
        if chosen == .native { try Client.enterRootlessSessionIfNeeded() }
        let store = root.map { StoreRoot(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .default()
        guard chosen == .automatic else { return try Client(root: store, backend: chosen) }
        let client = try await Client.connect(root: store, backend: .automatic)
        if client.backend == .native { try Client.enterRootlessSessionIfNeeded() }
        return client
    }
}

/// Runs a command's work, printing a failure as one `hoist: …` line on stderr with exit code
/// `status(error)` (1 by default) instead of a stack of Swift error text.
func reportingErrors<T>(status: (any Error) -> Int32 = { _ in 1 }, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("hoist: \(error)\n".utf8))
        throw ExitCode(status(error))
    }
}

/// Says on stderr that limits asked for cannot be applied where the backend lacks them (a
/// rootless session without a delegated cgroup v2 subtree): the container runs without them.
func warnOfUnappliedLimits(_ asked: Bool, on client: Client) async {
    guard asked, !client.capabilities.contains(.resourceLimits) else { return }
    let why = await Client.status(of: client.backend, root: client.store.root).mode ?? "this backend cannot set them"
    FileHandle.standardError.write(Data("hoist: warning: resource limits are not applied: \(why)\n".utf8))
}

/// The exit code of `run` and `start` when the container could not run, as Docker's gives it:
/// 127 for a command that is not there, 126 for one that cannot be executed, 125 for Hoist's
/// own failures — so they are never mistaken for the container's own exit code.
func containerFailureStatus(_ error: any Error) -> Int32 {
    ContainerError.startFailureExitCode(of: error) ?? 125
}

/// The exit code of `exec` when the process could not run, as `docker exec` gives it: 126 for
/// any process that could not be started, 1 for other failures.
func execFailureStatus(_ error: any Error) -> Int32 {
    ContainerError.startFailureExitCode(of: error) == nil ? 1 : 126
}
