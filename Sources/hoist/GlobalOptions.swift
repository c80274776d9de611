import ArgumentParser
import Foundation
import Hoist
import HoistStore

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The store directory (default: $HOIST_ROOT, else /var/lib/hoist as root, ~/.local/share/hoist otherwise).", valueName: "dir"))
    var root: String?

    /// A client on the chosen store.
    func client() throws -> Client {
        try Client(root: root.map { StoreRoot(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .default())
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
