import ArgumentParser
import Foundation
import Hoist
import HoistOCI
import HoistRuntime
import HoistStore

struct InfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the store, the backends that can be used here and what each can do, and which platforms' programs run here.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format: text (default) or json.")
    var format: String = "text"

    func run() async throws {
        try await reportingErrors {
            let root = global.root.map { StoreRoot(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .default()
            let backends = await Client.availableBackends(root: root)
            switch format {
            case "json":
                print(try Display.json(backends))
            case "text":
                print("Version: \(HoistVersion.current)")
                print("Store: \(root.url.path)")
                if global.backend == Backend.automatic.rawValue {
                    // The same choice `--backend auto` makes, from the same health checks.
                    let chosen = await Client.status(of: .automatic, root: root)
                    print("Automatic choice: \(chosen.isAvailable ? chosen.backend.rawValue : "none")")
                }
                print("Backends:")
                for status in backends {
                    let state = status.isAvailable ? "available" : "unavailable: \(status.reason ?? "")"
                    print("  \(status.backend.rawValue): \(state)")
                    if let mode = status.mode { print("    mode: \(mode)") }
                    if !status.capabilities.isEmpty {
                        print("    capabilities: \(status.capabilities.map(\.rawValue).sorted().joined(separator: ", "))")
                    }
                }
                // What `hoist build --platform` can run here, natively or through binfmt_misc.
                print("Platforms:")
                let support = PlatformSupport()
                for platform in PlatformSupport.commonPlatforms {
                    let verdict = switch support.verdict(for: platform) {
                    case .native: "native"
                    case .emulated(let handler, let interpreter): "emulated (binfmt_misc \(handler): \(interpreter))"
                    case .unavailable(let reason): "cannot run: \(reason)"
                    }
                    print("  \(platform): \(verdict)")
                }
            default:
                throw ValidationError("unknown format \"\(format)\": use text or json")
            }
        }
    }
}
