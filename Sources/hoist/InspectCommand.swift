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

    @Option(name: .long, help: ArgumentHelp("Of a multi-platform image, the platform's image to show, e.g. linux/arm64.", valueName: "os/arch[/variant]"))
    var platform: String?

    @Argument(help: "Image or container names or IDs.", completion: NameCompletion.imagesAndContainers)
    var names: [String]

    func run() async throws {
        try await reportingErrors(status: OutputTemplate.inspectStatus) {
            let client = try await global.client()
            let chosen = try platform.map { try Platform(parsing: $0) }
            var objects: [Any] = []
            for name in names {
                do {
                    objects.append(DockerInspectShape.image(try client.inspect(name, platform: chosen)))
                } catch let error as any HoistError where error.code == .notFound {
                    guard let container = try? await client.containerBackend.container(name) else { throw error }
                    objects.append(DockerInspectShape.container(container))
                }
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
