import ArgumentParser
import Foundation
import Hoist
import HoistOCI

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show images' or containers' details as JSON (images first, as docker inspect looks them up).")

    @OptionGroup var global: GlobalOptions

    @Option(name: [.short, .long], help: "A Go template such as '{{.Config.Cmd}}' or '{{json .RepoTags}}', applied to each.")
    var format: String?

    @Argument(help: "Image or container names or IDs.")
    var names: [String]

    func run() async throws {
        try await reportingErrors {
            let client = try await global.client()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            var objects: [Any] = []
            for name in names {
                do {
                    objects.append(try JSONSerialization.jsonObject(with: try encoder.encode(client.inspect(name))))
                } catch let error as any HoistError where error.code == .notFound {
                    guard let container = try? await client.containerBackend.container(name) else { throw error }
                    objects.append(Self.dockerStyle(container))
                }
            }
            if let format {
                print(try OutputTemplate(format).render(objects))
            } else {
                let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }

    /// A container with the keys of `docker container inspect` that Hoist has.
    static func dockerStyle(_ container: ContainerSummary) -> [String: Any] {
        let iso = ISO8601DateFormatter()
        var state: [String: Any] = [
            "Status": PsCommand.state(container), "Running": container.state.isRunning,
            "StartedAt": container.startedAt.map(iso.string) ?? "0001-01-01T00:00:00Z",
            "FinishedAt": container.finishedAt.map(iso.string) ?? "0001-01-01T00:00:00Z",
        ]
        if case .exited(let code) = container.state { state["ExitCode"] = Int(code) } else { state["ExitCode"] = 0 }
        return [
            "Id": container.id, "Name": "/" + container.name, "Created": iso.string(from: container.created),
            "Image": container.imageID.description, "Path": container.command.first ?? "",
            "Args": Array(container.command.dropFirst()), "State": state,
            "Config": ["Image": container.image, "Cmd": container.command],
        ]
    }
}
