/// What a container's `/etc/hosts` and `/etc/resolv.conf` say beyond the defaults
/// (`--add-host`, `--dns`, `--dns-search`, `--dns-option`), and whether it may change them.
public struct NameResolution: Sendable, Hashable, Codable {
    /// Lines added to /etc/hosts (`--add-host NAME:IP`).
    public var extraHosts: [HostsEntry]
    /// Replace the host's nameservers when not empty (`--dns`).
    public var nameservers: [String]
    /// Replace the host's search domains when not empty (`--dns-search`).
    public var searchDomains: [String]
    /// Replace the host's resolver options when not empty (`--dns-option`).
    public var options: [String]
    /// Mount /etc/hosts and /etc/resolv.conf read-only, as BuildKit does in RUN steps.
    public var readOnly: Bool

    public init(
        extraHosts: [HostsEntry] = [], nameservers: [String] = [], searchDomains: [String] = [], options: [String] = [],
        readOnly: Bool = false
    ) {
        self.extraHosts = extraHosts
        self.nameservers = nameservers
        self.searchDomains = searchDomains
        self.options = options
        self.readOnly = readOnly
    }

    /// The host's resolv.conf `text` with these settings applied; resolvers on the host's
    /// loopback are left out unless `hostNetwork` (they cannot be reached from another
    /// namespace), as Docker does.
    public func resolvConf(from text: String, hostNetwork: Bool) -> String {
        var lines: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            switch fields.first {
            case "nameserver":
                if !nameservers.isEmpty { continue }
                if !hostNetwork, fields.count >= 2, fields[1].hasPrefix("127.") || fields[1] == "::1" { continue }
            case "search", "domain":
                if !searchDomains.isEmpty { continue }
            case "options":
                if !options.isEmpty { continue }
            default: break
            }
            lines.append(String(line))
        }
        while lines.last == "" { lines.removeLast() }
        lines += nameservers.map { "nameserver " + $0 }
        if !searchDomains.isEmpty { lines.append("search " + searchDomains.joined(separator: " ")) }
        if !options.isEmpty { lines.append("options " + options.joined(separator: " ")) }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One line of /etc/hosts: an address and its names.
public struct HostsEntry: Sendable, Hashable, Codable {
    public var address: String
    public var names: [String]

    public init(address: String, names: [String]) {
        self.address = address
        self.names = names
    }

    /// Parses `--add-host NAME:IP` (Docker's form; `NAME=IP` too); `host-gateway` is not known
    /// here and is refused. Throws `invalidArgument`.
    public init(parsingAddHost text: String) throws {
        let separator = text.firstIndex(where: { $0 == ":" || $0 == "=" })
        guard let separator else {
            throw RuntimeError(.invalidArgument, "invalid --add-host \"\(text)\": expected NAME:IP")
        }
        let name = String(text[..<separator])
        var address = String(text[text.index(after: separator)...])
        if address.hasPrefix("[") && address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        guard !name.isEmpty, !name.contains(where: \.isWhitespace), IPv4Address(address) != nil || address.contains(":") else {
            throw RuntimeError(.invalidArgument, "invalid --add-host \"\(text)\": expected NAME:IP with an IP address")
        }
        self.init(address: address, names: [name])
    }
}

/// The text of a container's /etc/hosts: Docker's loopback and IPv6 lines, then `entries` in
/// order. One writer for containers with and without a network of their own.
public enum HostsFile {
    public static func render(_ entries: [HostsEntry]) -> String {
        var text = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        text += "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"
        for entry in entries where !entry.names.isEmpty {
            text += entry.address + "\t" + entry.names.joined(separator: " ") + "\n"
        }
        return text
    }
}
