import ArgumentParser
import Foundation
import Hoist

/// `hoist volume create/ls/inspect/rm/prune`, as `docker volume` spells them.
struct VolumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume", abstract: "Manage named volumes.",
        discussion: """
            `-v NAME:/path` makes volume NAME on first use and fills it with what the image has at \
            /path when the volume is empty, as Docker does. Volumes outlive containers; those that \
            kept containers use are left by rm and prune.
            """,
        subcommands: [Create.self, List.self, Inspect.self, Remove.self, Prune.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a volume and print its name.")

        @OptionGroup var global: GlobalOptions

        @Option(name: [.short, .customLong("label")], help: ArgumentHelp("A label; repeatable.", valueName: "key=value"))
        var labels: [String] = []

        @Argument(help: "The name (default: a made-up one).")
        var name: String?

        func run() async throws {
            try await reportingErrors {
                var pairs: [String: String] = [:]
                for label in labels {
                    let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
                    pairs[parts[0]] = parts.count == 2 ? parts[1] : ""
                }
                print(try await global.client().native.createVolume(name, labels: pairs).name)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List volumes.", aliases: ["list"])

        @OptionGroup var global: GlobalOptions

        @Flag(name: .shortAndLong, help: "Show only volume names.")
        var quiet = false

        func run() async throws {
            try await reportingErrors {
                let volumes = try await global.client().native.volumes()
                if quiet {
                    for volume in volumes { print(volume.name) }
                    return
                }
                print(Display.table([["DRIVER", "VOLUME NAME"]] + volumes.map { ["local", $0.name] }))
            }
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show volumes as JSON.")

        @OptionGroup var global: GlobalOptions

        @Option(name: [.short, .long], help: "A Go template such as '{{.Mountpoint}}', applied to each.")
        var format: String?

        @Argument var volumes: [String]

        func run() async throws {
            try await reportingErrors {
                let client = try await global.client()
                let iso = ISO8601DateFormatter()
                let objects: [Any] = try volumes.map { name in
                    let volume = try client.native.volume(name)
                    return [
                        "Name": volume.name, "Driver": "local", "Mountpoint": volume.mountpoint, "Scope": "local",
                        "CreatedAt": iso.string(from: volume.created), "Labels": volume.labels, "Options": [String: String](),
                    ] as [String: Any]
                }
                if let format {
                    print(try OutputTemplate(inspecting: format).render(objects), terminator: "")
                } else {
                    let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                    print(String(decoding: data, as: UTF8.self))
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove volumes no container uses.", aliases: ["remove"])

        @OptionGroup var global: GlobalOptions

        @Flag(name: .shortAndLong, help: "Accepted for docker's habit; a volume in use is still refused, as docker refuses it.")
        var force = false

        @Argument var volumes: [String]

        func run() async throws {
            var failed = false
            for name in volumes {
                do {
                    try await reportingErrors { try await global.client().native.removeVolume(name) }
                    print(name)
                } catch {
                    failed = true
                }
            }
            if failed { throw ExitCode.failure }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove every volume no container uses.")

        @OptionGroup var global: GlobalOptions

        @Flag(name: .shortAndLong, help: "Do not ask (there is no prompt; accepted for docker's habit).")
        var force = false

        func run() async throws {
            try await reportingErrors {
                let removed = try await global.client().native.pruneVolumes()
                if !removed.isEmpty { print("Deleted Volumes:\n" + removed.joined(separator: "\n")) }
            }
        }
    }
}
