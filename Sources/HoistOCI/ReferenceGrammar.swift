/// The grammar of image references (distribution/reference's regular expressions), checked
/// by hand so each failure can say what is wrong.
enum ReferenceGrammar {
    static func isLowerHex(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= 0x61 && byte <= 0x7A)
    }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= 0x41 && byte <= 0x5A)
    }
    private static func isWordCharacter(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    /// `[\w][\w.-]{0,127}` with ASCII word characters.
    static func isValidTag(_ tag: some StringProtocol) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, isWordCharacter(first), bytes.count <= 128 else { return false }
        return bytes.dropFirst().allSatisfy { isWordCharacter($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `algorithm:hex` in the loose shape references accept before the digest is checked:
    /// `[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}`.
    static func isDigestShaped(_ text: some StringProtocol) -> Bool {
        guard let colon = text.firstIndex(of: ":") else { return false }
        let algorithm = text[..<colon].utf8
        let encoded = text[text.index(after: colon)...].utf8
        let parts = algorithm.split(omittingEmptySubsequences: false) { "-_+.".utf8.contains($0) }
        let algorithmOK = parts.allSatisfy { part in
            guard let first = part.first, (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A)
            else { return false }
            return part.allSatisfy(isAlphanumeric)
        }
        let isHex = encoded.allSatisfy { isDigit($0) || ($0 >= 0x41 && $0 <= 0x46) || ($0 >= 0x61 && $0 <= 0x66) }
        return algorithmOK && encoded.count >= 32 && isHex
    }

    /// Why `domain` is not `host[:port]` (a DNS-like name or a bracketed IPv6 address); nil when it is.
    static func domainProblem(_ domain: String) -> String? {
        var host = Substring(domain)
        var port: Substring?
        if domain.hasPrefix("[") {
            guard let close = domain.firstIndex(of: "]") else { return "has an unclosed IPv6 bracket" }
            let inside = domain[domain.index(after: domain.startIndex)..<close].utf8
            guard !inside.isEmpty,
                inside.allSatisfy({ isLowerHex($0) || ($0 >= 0x41 && $0 <= 0x46) || $0 == UInt8(ascii: ":") })
            else { return "is not a valid IPv6 address in brackets" }
            let after = domain[domain.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return "has text after the IPv6 address" }
                port = after.dropFirst()
            }
            host = ""
        } else if let colon = domain.firstIndex(of: ":") {
            host = domain[..<colon]
            port = domain[domain.index(after: colon)...]
        }
        if let port, port.isEmpty || !port.utf8.allSatisfy(isDigit) {
            return "has an invalid port \"\(port)\""
        }
        guard !domain.hasPrefix("[") else { return nil }
        let labels = host.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            guard let first = label.first, let last = label.last, isAlphanumeric(first), isAlphanumeric(last),
                label.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") })
            else {
                return "is not a valid host name: each dot-separated part must be letters, digits and inner hyphens"
            }
        }
        return nil
    }

    /// Why `path` is not a repository path (lowercase components joined by `/`, each
    /// alphanumeric runs joined by `.`, `_`, `__` or any run of `-`); nil when it is.
    static func pathProblem(_ path: some StringProtocol) -> String? {
        guard !path.isEmpty else { return "the repository name is empty" }
        for component in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard isPathComponent(Array(component)) else {
                let text = String(decoding: component, as: UTF8.self)
                return component.isEmpty
                    ? "repository name \"\(path)\" has an empty path component"
                    : "path component \"\(text)\" must be lowercase letters and digits joined by ., _, __ or hyphens"
            }
        }
        return nil
    }

    private static func isPathComponent(_ bytes: [UInt8]) -> Bool {
        var index = 0
        func alphanumericRun() -> Bool {
            let start = index
            while index < bytes.count, isLowerAlphanumeric(bytes[index]) { index += 1 }
            return index > start
        }
        guard alphanumericRun() else { return false }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."):
                index += 1
            case UInt8(ascii: "_"):
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "_") { index += 1 }
            case UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            default:
                return false
            }
            guard alphanumericRun() else { return false }
        }
        return true
    }
}
