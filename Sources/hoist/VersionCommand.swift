import ArgumentParser
import Foundation
import Hoist
import HoistOCI

/// `hoist version`: Docker's layout — the client, then the backend's engine and what it runs
/// with — each version asked of the part itself; `--format` as `docker version --format`.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Show the versions of hoist, its backend and the runtimes it uses.")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: "A Go template over {Client, Server}, such as '{{.Server.Version}}', or json.")
    var format: String?

    func run() async throws {
        try await reportingErrors(status: OutputTemplate.inspectStatus) {
            let client = try await global.client()
            let server = try await client.backendVersion()
            let object = Self.dockerShape(client: client, server: server)
            switch format {
            case nil:
                print(Self.text(object: object, server: server), terminator: "")
            case let template?:
                // `json` is Docker's shorthand for `{{json .}}`.
                let format = template == "json" ? "{{json .}}" : template
                print(try OutputTemplate(inspecting: format).render([object]), terminator: "")
            }
        }
    }

    /// The object `docker version --format` templates walk: `Client` and `Server` with the Go
    /// field names of Docker's structures (`APIVersion`), which its templates use.
    static func dockerShape(client: Client, server: BackendVersion) -> [String: Any] {
        var serverObject: [String: Any] = [
            "Platform": ["Name": server.platform], "Version": server.version, "Os": server.os, "Arch": server.architecture,
            "Components": server.components.map { ["Name": $0.name, "Version": $0.version, "Details": $0.details] as [String: Any] },
        ]
        if let api = server.apiVersion { serverObject["APIVersion"] = api }
        if let minimum = server.minimumAPIVersion { serverObject["MinAPIVersion"] = minimum }
        return [
            "Client": [
                "Platform": ["Name": "Hoist"], "Version": HoistVersion.current, "Backend": client.backend.rawValue,
                "Os": "linux", "Arch": Platform.host.architecture,
            ] as [String: Any],
            "Server": serverObject,
        ]
    }

    /// The text `docker version` prints: sections, then aligned `Key: value` lines.
    static func text(object: [String: Any], server: BackendVersion) -> String {
        func line(_ indent: Int, _ key: String, _ value: String) -> String {
            let label = String(repeating: " ", count: indent) + key + ":"
            return label.padding(toLength: max(label.count + 1, 20), withPad: " ", startingAt: 0) + value + "\n"
        }
        var out = "Client:\n"
        out += line(1, "Version", HoistVersion.current)
        out += line(1, "Backend", server.backend.rawValue)
        out += line(1, "OS/Arch", "linux/\(Platform.host.architecture)")
        out += "\nServer: \(server.platform)\n"
        for component in server.components {
            out += " \(component.name):\n"
            out += line(2, "Version", component.version)
            if component.name == server.components.first?.name, let api = server.apiVersion {
                out += line(2, "API version", api + (server.minimumAPIVersion.map { " (minimum version \($0))" } ?? ""))
                out += line(2, "OS/Arch", "\(server.os)/\(server.architecture)")
            }
            for key in component.details.keys.sorted() { out += line(2, key, component.details[key]!) }
        }
        return out
    }
}
