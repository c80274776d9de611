import ArgumentParser
import Hoist

/// `hoist port NAME [PORT[/PROTO]]`: a container's published ports as `docker port` lists
/// them (`80/tcp -> 0.0.0.0:8080`), or the host addresses of one port.
struct PortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "port", abstract: "List a container's published ports.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The container's name or ID.", completion: NameCompletion.containers)
    var container: String

    @Argument(help: ArgumentHelp("Only this container port (tcp unless a protocol is named).", valueName: "port[/proto]"))
    var port: String?

    func run() async throws {
        try await reportingErrors {
            let mappings = try await global.client().containerBackend.container(container).ports
                .sorted { ($0.containerPort, $0.transport.rawValue, $0.hostPort) < ($1.containerPort, $1.transport.rawValue, $1.hostPort) }
            guard let port else {
                for mapping in mappings { print(mapping) }
                return
            }
            let parts = port.split(separator: "/", maxSplits: 1)
            guard let number = UInt16(parts[0]) else { throw ValidationError("invalid port \"\(port)\": use PORT or PORT/PROTO") }
            let transport = parts.count > 1 ? String(parts[1]) : "tcp"
            let matching = mappings.filter { $0.containerPort == number && $0.transport.rawValue == transport }
            guard !matching.isEmpty else {
                throw ClientError(.notFound, "no public port '\(number)/\(transport)' published for \(container)")
            }
            for mapping in matching { print("\(mapping.hostAddress?.description ?? "0.0.0.0"):\(mapping.hostPort)") }
        }
    }
}
