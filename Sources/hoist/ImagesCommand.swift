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

    func run() async throws {
        try await reportingErrors {
            let client = try await global.client()
            let images = try await client.images(filters: filter)
            if quiet {
                var seen = Set<String>()
                for image in images where seen.insert(image.id.shortID).inserted { print(image.id.shortID) }
                return
            }
            switch format {
            case "json":
                print(try Display.json(images))
            case "table":
                var rows = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
                for image in images {
                    rows.append([image.repository, image.tag, image.id.shortID, Display.age(since: image.created),
                                 Display.size(image.size)])
                }
                print(Display.table(rows))
            default:
                guard format.contains("{{") else {
                    throw ValidationError("unknown format \"\(format)\": use table, json or a template such as {{.Repository}}:{{.Tag}}")
                }
                let template = try OutputTemplate(format)
                print(template.render(images.map { image -> [String: Any] in
                    [
                        "ID": image.id.shortID, "Repository": image.repository, "Tag": image.tag,
                        "Digest": image.digest.description, "CreatedSince": Display.age(since: image.created),
                        "CreatedAt": Display.timestamp(image.created), "Size": Display.size(image.size),
                    ]
                }))
            }
        }
    }
}
