import ArgumentParser
import Foundation
import Hoist

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show an image's details as JSON.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Image names or IDs.")
    var images: [String]

    func run() async throws {
        try await reportingErrors {
            let client = try global.client()
            let details = try images.map { try client.inspect($0) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(details), as: UTF8.self))
        }
    }
}
