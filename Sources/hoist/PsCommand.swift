import ArgumentParser
import Foundation
import Hoist

struct PsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers (running ones unless -a).")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Show every container, not only running ones.")
    var all = false

    @Flag(name: [.short, .long], help: "Show only container IDs.")
    var quiet = false

    @Option(name: .long, help: "Output format: table (default), json, or a Go template such as '{{.Names}} {{.Status}}' ('table ' before it adds a header).")
    var format: String = "table"

    func run() async throws {
        try await reportingErrors {
            let containers = try await global.client().containerBackend.containers(all: all)
            if quiet {
                for container in containers { print(container.shortID) }
                return
            }
            switch format {
            case "json":
                print(try Display.json(containers))
            case "table":
                var rows = [["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"]]
                for container in containers {
                    var command = container.command.joined(separator: " ")
                    if command.count > 20 { command = String(command.prefix(19)) + "…" }
                    rows.append([container.shortID, container.image, "\"\(command)\"", Display.age(since: container.created),
                                 Self.status(container), container.name])
                }
                print(Display.table(rows))
            default:
                guard format.contains("{{") else {
                    throw ValidationError("unknown format \"\(format)\": use table, json or a template such as {{.Names}}")
                }
                let template = try OutputTemplate(format)
                print(template.render(containers.map { container -> [String: Any] in
                    [
                        "ID": container.shortID, "Image": container.image, "Command": "\"\(container.command.joined(separator: " "))\"",
                        "CreatedAt": Display.timestamp(container.created), "RunningFor": Display.age(since: container.created),
                        "Status": Self.status(container), "State": Self.state(container), "Names": container.name,
                    ]
                }))
            }
        }
    }

    /// `created`, `running`, `exited`, as Docker's State field says.
    static func state(_ container: ContainerSummary) -> String {
        switch container.state {
        case .created: "created"
        case .running: "running"
        case .exited: "exited"
        }
    }

    /// `Up 3 minutes`, `Exited (0) 2 seconds ago`, `Created`, as docker ps words it.
    static func status(_ container: ContainerSummary) -> String {
        switch container.state {
        case .created: "Created"
        case .running: "Up " + Display.duration(since: container.startedAt ?? container.created)
        case .exited(let code): "Exited (\(code)) " + Display.age(since: container.finishedAt ?? container.created)
        }
    }
}
