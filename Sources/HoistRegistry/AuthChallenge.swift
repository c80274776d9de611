/// One challenge from a registry's `WWW-Authenticate` header: the scheme it asks for and its
/// parameters (`realm`, `service`, `scope`, `error`).
///
/// `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"`
/// sends the client to a token service; `Basic realm="…"` asks for the user's password itself.
package struct AuthChallenge: Sendable, Hashable {
    package enum Scheme: String, Sendable, Hashable {
        case basic
        case bearer
    }

    package let scheme: Scheme
    /// Parameter names in lower case, values unquoted.
    package let parameters: [String: String]

    var realm: String? { parameters["realm"] }
    var service: String? { parameters["service"] }
    /// The scope the registry wants, space-separated when several (`insufficient_scope`).
    var scope: String? { parameters["scope"] }

    /// The challenges in a header value, in their order; schemes other than Basic and Bearer
    /// are skipped since Hoist cannot answer them.
    package static func parse(_ header: String) -> [AuthChallenge] {
        var scanner = HeaderScanner(Array(header.unicodeScalars))
        var challenges: [AuthChallenge] = []
        while !scanner.atEnd {
            scanner.skip { $0 == " " || $0 == "," || $0 == "\t" }
            guard let schemeName = scanner.token(), !schemeName.isEmpty else { break }
            var parameters: [String: String] = [:]
            // Parameters follow until the next token that is not followed by `=`.
            while true {
                scanner.skip { $0 == " " || $0 == "\t" }
                let mark = scanner.position
                guard let name = scanner.token(), !name.isEmpty else { break }
                scanner.skip { $0 == " " || $0 == "\t" }
                guard scanner.consume("=") else {
                    scanner.position = mark
                    break
                }
                scanner.skip { $0 == " " || $0 == "\t" }
                let value = scanner.peek == "\"" ? scanner.quotedString() : (scanner.token() ?? "")
                parameters[name.lowercased()] = value
                scanner.skip { $0 == " " || $0 == "\t" }
                guard scanner.consume(",") else { break }
            }
            if let scheme = Scheme(rawValue: schemeName.lowercased()) {
                challenges.append(AuthChallenge(scheme: scheme, parameters: parameters))
            }
        }
        return challenges
    }
}

/// A cursor over a header value for the RFC 7235 grammar (tokens, quoted strings).
private struct HeaderScanner {
    let scalars: [Unicode.Scalar]
    var position = 0

    init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

    var atEnd: Bool { position >= scalars.count }
    var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }

    mutating func skip(while predicate: (Unicode.Scalar) -> Bool) {
        while let scalar = peek, predicate(scalar) { position += 1 }
    }

    mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
        guard peek == scalar else { return false }
        position += 1
        return true
    }

    /// A run of token characters (anything but separators and whitespace).
    mutating func token() -> String? {
        let start = position
        skip { !" \t,=\"".unicodeScalars.contains($0) }
        return start == position ? nil : String(String.UnicodeScalarView(scalars[start..<position]))
    }

    /// A quoted string with backslash escapes, the cursor on its opening quote.
    mutating func quotedString() -> String {
        position += 1
        var value = String.UnicodeScalarView()
        while let scalar = peek {
            position += 1
            if scalar == "\"" { break }
            if scalar == "\\", let escaped = peek {
                position += 1
                value.append(escaped)
            } else {
                value.append(scalar)
            }
        }
        return String(value)
    }
}
