import ArgumentParser
import Foundation
import Hoist
import HoistRuntime

/// `hoist network create/ls/inspect/rm/prune`, as `docker network` spells them.
struct NetworkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Manage bridge networks.",
        discussion: """
            Containers join the default network `bridge` unless --network says otherwise. Members of a \
            network made here reach each other by container name (Hoist keeps their /etc/hosts up to date).
            """,
        subcommands: [Create.self, List.self, Inspect.self, Remove.self, Prune.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a network.")

        @OptionGroup var global: GlobalOptions

        @Option(name: .long, help: ArgumentHelp("An IPv4 subnet (default: a free /24 of 10.214.0.0/16).", valueName: "cidr"))
        var subnet: String?

        @Flag(name: .long, help: "No outbound access (no NAT, no default route).")
        var `internal` = false

        @Option(name: .shortAndLong, help: ArgumentHelp("The driver (only bridge).", valueName: "driver"))
        var driver: String = "bridge"

        @Option(name: [.short, .customLong("label")], help: ArgumentHelp("A label; repeatable.", valueName: "key=value"))
        var labels: [String] = []

        @Argument var name: String

        func run() async throws {
            try await reportingErrors {
                guard driver == "bridge" else { throw ValidationError("--driver \(driver): only bridge is supported") }
                var pairs: [String: String] = [:]
                for label in labels {
                    let parts = label.split(separator: "=", maxSplits: 1).map(String.init)
                    pairs[parts[0]] = parts.count == 2 ? parts[1] : ""
                }
                print(try await global.client().native.createNetwork(name, subnet: subnet, internal: `internal`, labels: pairs).id)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks.", aliases: ["list"])

        @OptionGroup var global: GlobalOptions

        @Flag(name: .shortAndLong, help: "Show only network IDs.")
        var quiet = false

        func run() async throws {
            try await reportingErrors {
                let networks = try await global.client().native.networks()
                if quiet {
                    for network in networks { print(network.id.prefix(12)) }
                    return
                }
                var rows = [["NETWORK ID", "NAME", "DRIVER", "SUBNET"]]
                for network in networks { rows.append([String(network.id.prefix(12)), network.name, "bridge", network.subnet.description]) }
                print(Display.table(rows))
            }
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show networks and their members as JSON.")

        @OptionGroup var global: GlobalOptions

        @Argument(completion: NameCompletion.networks) var networks: [String]

        func run() async throws {
            try await reportingErrors {
                let client = try await global.client()
                var shown: [NetworkInspection] = []
                for name in networks {
                    let (definition, attachments) = try await client.native.network(name)
                    shown.append(NetworkInspection(definition, attachments))
                }
                print(try Display.json(shown))
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove networks.", aliases: ["remove"])

        @OptionGroup var global: GlobalOptions

        @Argument(completion: NameCompletion.networks) var networks: [String]

        func run() async throws {
            var failed = false
            for name in networks {
                do {
                    try await reportingErrors { try await global.client().native.removeNetwork(name) }
                    print(name)
                } catch {
                    failed = true
                }
            }
            if failed { throw ExitCode.failure }
        }
    }

    struct Prune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Remove unused networks, and network state killed processes left (namespaces, addresses, rules).")

        @OptionGroup var global: GlobalOptions

        @Flag(name: .shortAndLong, help: "Do not ask (there is no prompt; accepted for docker's habit).")
        var force = false

        func run() async throws {
            try await reportingErrors {
                let removed = try await global.client().native.pruneNetworks()
                if !removed.isEmpty { print("Deleted Networks:\n" + removed.joined(separator: "\n")) }
            }
        }
    }
}

/// `hoist network inspect`'s JSON, after Docker's shape.
struct NetworkInspection: Encodable {
    struct AddressManagement: Encodable {
        var Driver = "host-local"
        var Config: [[String: String]]
    }

    struct Member: Encodable {
        var Name: String
        var IPv4Address: String
        var Ports: [String]
    }

    var Name: String
    var Id: String
    var Created: Date
    var Driver = "bridge"
    var Internal: Bool
    var IPAM: AddressManagement
    var Options: [String: String]
    var Labels: [String: String]
    var Containers: [String: Member]

    init(_ network: NetworkDefinition, _ attachments: [NetworkAttachment]) {
        Name = network.name
        Id = network.id
        Created = network.created
        Internal = network.isInternal
        IPAM = AddressManagement(Config: [["Subnet": network.subnet.description, "Gateway": network.gateway.description]])
        Options = ["com.docker.network.bridge.name": network.bridge]
        Labels = network.labels
        Containers = Dictionary(
            attachments.map { attachment in
                (
                    attachment.id,
                    Member(
                        Name: attachment.names.first ?? attachment.hostname,
                        IPv4Address: attachment.address.map { "\($0)/\(network.subnet.prefixLength)" } ?? "",
                        Ports: attachment.ports.map(\.description))
                )
            }, uniquingKeysWith: { first, _ in first })
    }
}
