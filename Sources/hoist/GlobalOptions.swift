import ArgumentParser
import Foundation
import Hoist
import HoistStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store directory (default: $HOIST_ROOT, else /var/lib/hoist as root, ~/.local/share/hoist otherwise).", valueName: "dir"))
    var root: String?

    @Option(name: .long, help: ArgumentHelp("Where containers run: native (default), docker or containerd (also $HOIST_BACKEND).", valueName: "backend"))
    var backend: String?

    /// A client on the chosen store and backend.
    func client() throws -> Client {
        let name = backend ?? ProcessInfo.processInfo.environment["HOIST_BACKEND"].flatMap { $0.isEmpty ? nil : $0 } ?? "native"
        guard let chosen = Backend(rawValue: name) else {
            throw ValidationError("unknown backend \"\(name)\": use native, docker or containerd")
        }
        return try Client(root: root.map { StoreRoot(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .default(), backend: chosen)
    }
}

/// Runs a command's work, printing a failure as one `hoist: …` line on stderr with exit code 1
/// instead of a stack of Swift error text.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("hoist: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
