import ArgumentParser
import Foundation
import Hoist

struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images in the store.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Output format: table (default), json, or a Go template such as '{{.Repository}}:{{.Tag}}' ('table ' before it adds a header).")
    var format: String = "table"

    @Flag(name: [.short, .long], help: "Show only image IDs.")
    var quiet = false

    @Option(name: [.short, .long], help: ArgumentHelp("List only images that meet this condition; repeatable, all must hold: dangling=true|false, label=<key>[=<value>], label!=<key>[=<value>], reference=<pattern> (one of several must match), before=<image>, since=<image>, until=<time> (a duration such as 24h, unix seconds, or an RFC 3339 date-time).", valueName: "key=value"))
    var filter: [String] = []

    @Flag(name: .long, help: "Show the manifest digests.")
    var digests = false

    @Flag(name: .long, help: "Do not truncate image IDs.")
    var noTrunc = false

    @Flag(name: [.short, .long], help: "Show all images (Hoist keeps no intermediate images, so the same list).")
    var all = false

    func run() async throws {
        try await reportingErrors {
            let client = try await global.client()
            let images = try await client.images(filters: filter)
            let id = { (image: ImageSummary) in noTrunc ? image.id.description : image.id.shortID }
            if quiet {
                var seen = Set<String>()
                for image in images where seen.insert(id(image)).inserted { print(id(image)) }
                return
            }
            let template = switch format {
            case "table" where digests: "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
            case "table": "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
            case "json": "{{json .}}"
            default: format
            }
            guard template.contains("{{") else {
                throw ValidationError("unknown format \"\(format)\": use table, json or a template such as {{.Repository}}:{{.Tag}}")
            }
            // The fields of Docker's image template context, each a string as its `{{json .}}` gives them.
            let items = images.map { image -> [String: Any] in
                [
                    "ID": id(image), "Repository": image.repository, "Tag": image.tag, "Digest": image.digest.description,
                    "CreatedSince": Display.age(since: image.created), "CreatedAt": Display.timestamp(image.created),
                    "Size": Display.size(image.size), "VirtualSize": Display.size(image.size),
                    "SharedSize": "N/A", "UniqueSize": "N/A", "Containers": "N/A",
                ]
            }
            print(try OutputTemplate(listing: template).render(items, headers: ["ID": "IMAGE ID", "CreatedSince": "CREATED"]), terminator: "")
        }
    }
}
