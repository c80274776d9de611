import ArgumentParser
import Foundation
import Hoist
import HoistOCI
import HoistStore

/// Shell completion of the names a command takes — containers, images, networks — read from
/// the store when the user presses TAB (ArgumentParser calls back `hoist ---completion …`),
/// on the store `--root` names on the command line, else `$HOIST_ROOT`'s, else the default.
enum NameCompletion {
    // Synchronous closures: `parseAsRoot`, which `HoistCommand.main` calls, runs only those.
    static let containers = CompletionKind.custom { words, _, prefix in
        names(words, prefix) { client in try client.native.keptContainers(all: true).flatMap { [$0.name, $0.shortID] } }
    }

    static let images = CompletionKind.custom { words, _, prefix in
        names(words, prefix, imageNames)
    }

    /// Images first, then containers, as `inspect` looks names up.
    static let imagesAndContainers = CompletionKind.custom { words, _, prefix in
        names(words, prefix) { client in try imageNames(client) + client.native.keptContainers(all: true).map(\.name) }
    }

    static let networks = CompletionKind.custom { words, _, prefix in
        names(words, prefix) { client in try client.native.networks().map(\.name) }
    }

    /// The store's image names in their familiar form (`busybox:latest`).
    private static func imageNames(_ client: Client) throws -> [String] {
        try client.store.images().compactMap { $0.name.flatMap { try? Reference(parsing: $0).familiarString } }
    }

    /// The names `list` gives that start with `prefix`, sorted and without repeats; none when
    /// the store cannot be opened (completion must never print an error).
    private static func names(_ words: [String], _ prefix: String, _ list: (Client) throws -> [String]) -> [String] {
        let root = words.firstIndex(of: "--root").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
        guard let client = try? Client(root: root.map { StoreRoot(URL(fileURLWithPath: $0, isDirectory: true)) } ?? .default()),
            let names = try? list(client)
        else { return [] }
        return Array(Set(names.filter { $0.hasPrefix(prefix) })).sorted()
    }
}
