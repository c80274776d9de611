/// Container names: what a user may choose, and the ones made up for containers without one,
/// in Docker's `adjective_name` style.
package enum ContainerName {
    /// Docker's rule: a letter or digit, then letters, digits, `_`, `.` or `-`.
    package static func validate(_ name: String) throws {
        let bytes = Array(name.utf8)
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
        }
        guard let first = bytes.first, isAlphanumeric(first),
            bytes.dropFirst().allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else {
            throw ClientError(.invalidArgument, "invalid container name \"\(name)\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
        }
    }

    private static let adjectives = [
        "brave", "calm", "eager", "fervent", "gentle", "happy", "keen", "lucid", "merry", "nimble", "quirky", "serene",
        "sharp", "steady", "swift", "tender", "upbeat", "vivid", "witty", "zealous",
    ]
    private static let names = [
        "babbage", "curie", "dijkstra", "euler", "fermat", "galois", "hopper", "johnson", "knuth", "lamport", "liskov",
        "lovelace", "noether", "pascal", "ritchie", "shannon", "thompson", "turing", "wozniak", "yonath",
    ]

    /// A made-up name; `attempt` > 0 adds a number, as Docker does after a collision.
    package static func generated(attempt: Int) -> String {
        let base = "\(adjectives.randomElement()!)_\(names.randomElement()!)"
        return attempt == 0 ? base : "\(base)\(attempt)"
    }
}
