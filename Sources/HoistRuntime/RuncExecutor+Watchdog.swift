#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistStore

/// A foreground container must not outlive the hoist process that runs it: killed, that
/// process can delete nothing itself, and the runtime, its container and the container's
/// processes would go on, seen by no `hoist ps`. Two things see to it:
/// - a watchdog: a small shell in a session of its own that waits on a pipe only this process
///   writes to; when the pipe closes without the word that all is well (the process died), it
///   deletes the container at once;
/// - an undo record in this process's work directory (``WorkDirectory/registerUndo(_:near:)``),
///   which the next hoist command runs should the watchdog have died too.
extension RuncExecutor {
    /// Guards container `id` until ``ContainerGuard/release()``.
    struct ContainerGuard {
        private var undo: String?
        private var watchdog: Int32 = -1

        init(id: String, executor: RuncExecutor) async {
            let delete = executor.runtime.process(["--root", executor.stateDirectory.path, "delete", "--force", id])
            let command = [delete.executable] + delete.arguments
            undo = try? WorkDirectory.registerUndo(command, near: executor.bundleDirectory.path)
            watchdog = await Self.startWatchdog(command)
        }

        /// The script: `$@` is the command that deletes the container.
        private static let script = """
            exec >/dev/null 2>&1
            IFS= read -r word
            [ "$word" = done ] && exit 0
            # The runtime may still be making the container: delete until it has surely gone.
            for attempt in 1 2 3 4 5; do "$@"; sleep 0.2; done
            """

        /// Starts the watchdog and returns the pipe's writing end (-1 when it could not start).
        private static func startWatchdog(_ command: [String]) async -> Int32 {
            guard let pipe = try? ExternalProcess.pipe() else { return -1 }
            defer { close(pipe.read) }
            guard let setsid = try? ExternalProcess.resolve("setsid") else {
                close(pipe.write)
                return -1
            }
            var watchdog = ExternalProcess(setsid, ["-f", "/bin/sh", "-c", script, "hoist-watchdog"] + command)
            watchdog.standardInput = .fileDescriptor(pipe.read)
            watchdog.standardOutput = .discard
            watchdog.standardError = .discard
            guard let started = try? await watchdog.run(), started.status == .exited(0) else {
                close(pipe.write)
                return -1
            }
            return pipe.write
        }

        /// The container is gone (or never came): the watchdog ends without doing anything
        /// and the undo record goes.
        mutating func release() {
            if watchdog >= 0 {
                _ = "done\n".withCString { Glibc.write(watchdog, $0, 5) }
                close(watchdog)
                watchdog = -1
            }
            if let undo { WorkDirectory.removeUndo(undo) }
            undo = nil
        }
    }
}
