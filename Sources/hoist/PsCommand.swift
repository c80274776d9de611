import ArgumentParser
import Foundation
import Hoist

struct PsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers (running ones unless -a), newest first.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: [.short, .long], help: "Show every container, not only running ones.")
    var all = false

    @Flag(name: [.short, .long], help: "Show only container IDs.")
    var quiet = false

    @Option(name: [.short, .long], help: ArgumentHelp(
        "Only containers meeting this condition: id=, name= (a regular expression), label=KEY[=VALUE], status=, exited=CODE, ancestor=IMAGE, before=, since= (containers); repeatable.",
        valueName: "key=value"))
    var filter: [String] = []

    @Option(name: [.customShort("n"), .customLong("last")], help: "Show the n last created containers, in any state.")
    var last: Int?

    @Flag(name: [.customShort("l"), .long], help: "Show the last created container, in any state.")
    var latest = false

    @Flag(name: .long, help: "Do not truncate IDs and commands.")
    var noTrunc = false

    @Flag(name: [.short, .long], help: "Show sizes: the writable layer's, and with the image's layers (virtual).")
    var size = false

    @Option(name: .long, help: "Output format: table (default), json (one object per line), or a Go template such as '{{.Names}} {{.Status}}' ('table ' before it adds a header).")
    var format: String = "table"

    /// Docker's default columns.
    static let defaultTable = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"

    func run() async throws {
        try await reportingErrors {
            let conditions = try ContainerFilter(filter)
            let limit = latest ? 1 : last.flatMap { $0 > 0 ? $0 : nil }
            let backend = try await global.client().containerBackend
            let every = try await backend.containers(all: true).sorted { $0.created > $1.created }
            let listed = all || limit != nil || conditions.includesStopped ? every : every.filter(\.state.isRunning)
            var containers = try conditions.apply(to: listed, all: every)
            if let limit { containers = Array(containers.prefix(limit)) }
            if quiet {
                for container in containers { print(noTrunc ? container.id : container.shortID) }
                return
            }
            let template = switch format {
            case "table": Self.defaultTable + (size ? "\t{{.Size}}" : "")
            case "json": "{{json .}}"
            default: format
            }
            guard template.contains("{{") else {
                throw ValidationError("unknown format \"\(format)\": use table, json or a template such as {{.Names}}")
            }
            // Docker's CLI asks for sizes with -s, or when the template names .Size.
            let withSizes = size || template.contains(".Size")
            var items: [[String: Any]] = []
            for container in containers {
                var item = Self.item(container, truncated: !noTrunc)
                if withSizes { item["Size"] = Self.size(try await backend.containerSize(container.id)) }
                items.append(item)
            }
            print(try OutputTemplate(listing: template).render(items, headers: ["ID": "CONTAINER ID", "RunningFor": "CREATED"]), terminator: "")
        }
    }

    /// A container with the fields of Docker's `ps` template context, each a string as
    /// Docker's `{{json .}}` gives them.
    static func item(_ container: ContainerSummary, truncated: Bool) -> [String: Any] {
        // As Docker's daemon words it: arguments holding a space in single quotes.
        var command = container.command.enumerated()
            .map { $0.offset > 0 && $0.element.contains(" ") ? "'\($0.element)'" : $0.element }.joined(separator: " ")
        if truncated, command.count > 20 { command = String(command.prefix(19)) + "…" }
        return [
            "ID": truncated ? container.shortID : container.id, "Image": container.image, "Command": "\"\(command)\"",
            "CreatedAt": Display.timestamp(container.created), "RunningFor": Display.age(since: container.created),
            "Status": status(container), "State": state(container), "Names": container.name,
            "Ports": container.ports.map { "\($0.hostAddress?.description ?? "0.0.0.0"):\($0.hostPort)->\($0.containerPort)/\($0.transport.rawValue)" }
                .joined(separator: ", "),
            "Labels": container.labels.keys.sorted().map { "\($0)=\(container.labels[$0]!)" }.joined(separator: ","),
            // What docker ps gives without --size and what the summary does not carry: Docker's
            // own values for those, so `{{json .}}` has every key scripts read.
            "Size": "0B", "Mounts": "", "Networks": "", "LocalVolumes": "0",
        ]
    }

    /// `12.3kB (virtual 4.56MB)`, as Docker's SIZE column words it (the virtual part only when
    /// the file system's size is known).
    static func size(_ size: ContainerSize) -> String {
        let writable = Display.size(size.writable)
        return size.rootFileSystem > 0 ? "\(writable) (virtual \(Display.size(size.rootFileSystem)))" : writable
    }

    /// `created`, `running`, `exited`, as Docker's State field says.
    static func state(_ container: ContainerSummary) -> String {
        switch container.state {
        case .created: "created"
        case .running: container.paused ? "paused" : "running"
        case .exited: "exited"
        }
    }

    /// `Up 3 minutes`, `Exited (0) 2 seconds ago`, `Created`, as docker ps words it.
    static func status(_ container: ContainerSummary) -> String {
        switch container.state {
        case .created: "Created"
        case .running: "Up " + Display.duration(since: container.startedAt ?? container.created) + (container.paused ? " (Paused)" : "")
        case .exited(let code): "Exited (\(code)) " + Display.age(since: container.finishedAt ?? container.created)
        }
    }
}
