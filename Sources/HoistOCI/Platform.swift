/// The platform an image runs on: operating system, CPU architecture and variant, as an index
/// entry or an image config records it.
///
/// Parsing, normalisation and formatting follow containerd's `platforms` package, which Docker
/// uses too: `linux/arm64/v8`, `linux/amd64`, `aarch64` → `arm64`, `x86_64` → `amd64`, and so on.
public struct Platform: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The operating system, e.g. `linux`, `windows`.
    public var os: String
    /// The CPU architecture, e.g. `amd64`, `arm64`, `arm`.
    public var architecture: String
    /// The CPU variant, e.g. `v7` for `arm`, `v8` for `arm64`.
    public var variant: String?
    /// The operating-system version (Windows: `10.0.17763.1040`).
    public var osVersion: String?
    /// Operating-system features the image requires (Windows: `win32k`).
    public var osFeatures: [String]?
    /// Members Hoist does not model (e.g. the deprecated `features`), kept for re-encoding.
    public var unknownFields: [String: JSONValue]

    /// A platform from its parts, as given (see ``normalized``).
    public init(
        os: String, architecture: String, variant: String? = nil, osVersion: String? = nil,
        osFeatures: [String]? = nil, unknownFields: [String: JSONValue] = [:]
    ) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
        self.unknownFields = unknownFields
    }

    // MARK: Parsing

    /// Parses a platform specifier as `docker --platform` accepts it: `os`, `arch`,
    /// `os/arch`, `os/arch/variant`, with an optional `(version+feature…)` after the OS.
    ///
    /// A lone OS takes the host's architecture and a lone known architecture the host's OS.
    /// Architectures are normalised (`aarch64` → `arm64`); the result is otherwise as written,
    /// so `linux/arm64/v8` keeps its variant. Use ``normalized`` to compare platforms.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) naming the bad component.
    public init(parsing specifier: String) throws(OCIError) {
        guard !specifier.contains("*") else {
            throw OCIError(.invalidArgument, "invalid platform \"\(specifier)\": wildcards are not supported")
        }
        let parts = specifier.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 3 else {
            throw OCIError(
                .invalidArgument, "invalid platform \"\(specifier)\": expected os[/arch[/variant]]")
        }
        guard let (osName, version, features) = Self.parseOSComponent(parts[0]) else {
            throw OCIError(
                .invalidArgument,
                "invalid platform \"\(specifier)\": \"\(parts[0])\" is not an OS name (letters, digits, _ and -, then an optional (version+features))")
        }
        for part in parts.dropFirst() where !Self.isSpecifierComponent(part) {
            throw OCIError(
                .invalidArgument,
                "invalid platform \"\(specifier)\": \"\(part)\" may contain only letters, digits, _ . and -")
        }
        let os = Self.normalizeOS(osName)
        switch parts.count {
        case 1:
            let host = Platform.host
            if Self.knownOperatingSystems.contains(os) {
                // As containerd: only a 32-bit arm host names its variant, and only when not v7.
                let variant = host.architecture == "arm" && host.variant != "v7" ? host.variant : nil
                self.init(os: os, architecture: host.architecture, variant: variant, osVersion: version, osFeatures: features)
                return
            }
            var (architecture, variant) = Self.normalizeArchitecture(parts[0], variant: nil)
            if architecture == "arm" && variant == "v7" { variant = nil }
            guard Self.knownArchitectures.contains(architecture) else {
                throw OCIError(
                    .invalidArgument, "invalid platform \"\(specifier)\": unknown operating system or architecture")
            }
            self.init(os: host.os, architecture: architecture, variant: variant)
        case 2:
            var (architecture, variant) = Self.normalizeArchitecture(parts[1], variant: nil)
            if architecture == "arm" && variant == "v7" { variant = nil }
            self.init(os: os, architecture: architecture, variant: variant, osVersion: version, osFeatures: features)
        default:
            var (architecture, variant) = Self.normalizeArchitecture(parts[1], variant: parts[2])
            // An explicit variant is kept, even the one normalisation would drop.
            if architecture == "arm64" && variant == nil { variant = "v8" }
            self.init(os: os, architecture: architecture, variant: variant, osVersion: version, osFeatures: features)
        }
    }

    /// Splits `name(version+feature+…)`; nil when it is not that shape.
    private static func parseOSComponent(_ text: String) -> (String, String?, [String]?)? {
        let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        let optionCharacters = nameCharacters.union(".%")
        guard let open = text.firstIndex(of: "(") else {
            return !text.isEmpty && text.allSatisfy(nameCharacters.contains) ? (text, nil, nil) : nil
        }
        let name = String(text[..<open])
        guard !name.isEmpty, name.allSatisfy(nameCharacters.contains), text.hasSuffix(")") else { return nil }
        let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
        let pieces = inside.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        guard pieces.allSatisfy({ $0.allSatisfy(optionCharacters.contains) }),
            pieces.dropFirst().allSatisfy({ !$0.isEmpty })
        else { return nil }
        let version = pieces[0].removingPercentEncoding ?? pieces[0]
        let features = pieces.dropFirst().map { $0.removingPercentEncoding ?? $0 }
        return (name, version.isEmpty ? nil : version, features.isEmpty ? nil : features)
    }

    private static func isSpecifierComponent(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    // MARK: Normalisation

    /// The canonical form used to compare platforms: lowercase OS (`macos` → `darwin`),
    /// canonical architecture and variant (`aarch64` → `arm64` with `v8` implied, `armhf` →
    /// `arm/v7`, `arm` → `arm/v7`, `x86_64` → `amd64`, `i386` → `386`), sorted unique OS features.
    public var normalized: Platform {
        var copy = self
        copy.os = Self.normalizeOS(os)
        (copy.architecture, copy.variant) = Self.normalizeArchitecture(architecture, variant: variant)
        if let features = osFeatures, !features.isEmpty {
            copy.osFeatures = Array(Set(features)).sorted()
        }
        return copy
    }

    static func normalizeOS(_ os: String) -> String {
        if os.isEmpty { return Platform.host.os }
        let lower = os.lowercased()
        return lower == "macos" ? "darwin" : lower
    }

    static func normalizeArchitecture(_ architecture: String, variant: String?) -> (String, String?) {
        let architecture = architecture.lowercased()
        let variant = variant?.lowercased() ?? ""
        switch architecture {
        case "i386":
            return ("386", nil)
        case "x86_64", "x86-64", "amd64":
            return ("amd64", variant == "v1" || variant.isEmpty ? nil : variant)
        case "aarch64", "arm64":
            switch variant {
            // v8 is what every arm64 CPU implements, so containerd leaves it implied.
            case "", "8", "v8", "v8.0": return ("arm64", nil)
            case "9", "9.0", "v9.0": return ("arm64", "v9")
            default: return ("arm64", variant)
            }
        case "armhf":
            return ("arm", "v7")
        case "armel":
            return ("arm", "v6")
        case "arm":
            switch variant {
            case "", "7": return ("arm", "v7")
            case "5", "6", "8": return ("arm", "v" + variant)
            default: return ("arm", variant)
            }
        default:
            return (architecture, variant.isEmpty ? nil : variant)
        }
    }

    static let knownOperatingSystems: Set<String> = [
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl",
        "netbsd", "openbsd", "plan9", "solaris", "windows", "zos",
    ]

    static let knownArchitectures: Set<String> = [
        "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips",
        "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x",
        "sparc", "sparc64", "wasm",
    ]

    // MARK: The host

    /// The platform of the machine Hoist runs on, as containerd's `DefaultSpec` reports it.
    public static var host: Platform {
        #if os(Linux)
            let os = "linux"
        #elseif os(macOS) || os(iOS)
            let os = "darwin"
        #elseif os(Windows)
            let os = "windows"
        #elseif os(FreeBSD)
            let os = "freebsd"
        #else
            let os = "unknown"
        #endif
        #if arch(x86_64)
            return Platform(os: os, architecture: "amd64")
        #elseif arch(arm64)
            return Platform(os: os, architecture: "arm64", variant: "v8")
        #elseif arch(arm)
            return Platform(os: os, architecture: "arm", variant: "v7")
        #elseif arch(i386)
            return Platform(os: os, architecture: "386")
        #elseif arch(s390x)
            return Platform(os: os, architecture: "s390x")
        #elseif arch(powerpc64le)
            return Platform(os: os, architecture: "ppc64le")
        #elseif arch(riscv64)
            return Platform(os: os, architecture: "riscv64")
        #else
            return Platform(os: os, architecture: "unknown")
        #endif
    }

    // MARK: Text

    /// `os/architecture[/variant]`, with `(version+features)` after the OS when present, as
    /// containerd's `FormatAll` writes it.
    public var description: String {
        var osPart = os
        let escapedVersion = osVersion.map(Self.escapeOSOption) ?? ""
        let escapedFeatures = Array(Set(osFeatures ?? []).filter { !$0.isEmpty }).sorted().map(Self.escapeOSOption)
        if !escapedVersion.isEmpty || !escapedFeatures.isEmpty {
            osPart += "(" + escapedVersion + escapedFeatures.map { "+" + $0 }.joined() + ")"
        }
        return [osPart, architecture, variant ?? ""].filter { !$0.isEmpty }.joined(separator: "/")
    }

    private static func escapeOSOption(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "%": out += "%25"
            case "+": out += "%2B"
            case "(": out += "%28"
            case ")": out += "%29"
            case "/": out += "%2F"
            default: out.append(character)
            }
        }
        return out
    }

    // MARK: Codable

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case os, architecture, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }

    private static let knownKeys = Set(CodingKeys.allCases.map(\.rawValue))

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        os = try container.decode(String.self, forKey: .os)
        architecture = try container.decode(String.self, forKey: .architecture)
        variant = try container.decodeIfPresent(String.self, forKey: .variant)
        osVersion = try container.decodeIfPresent(String.self, forKey: .osVersion)
        osFeatures = try container.decodeIfPresent([String].self, forKey: .osFeatures)
        unknownFields = try decodeUnknownFields(from: decoder, known: Self.knownKeys)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(os, forKey: .os)
        try container.encode(architecture, forKey: .architecture)
        try container.encodeIfPresent(variant, forKey: .variant)
        try container.encodeIfPresent(osVersion, forKey: .osVersion)
        try container.encodeIfPresent(osFeatures, forKey: .osFeatures)
        try encodeUnknownFields(unknownFields, to: encoder, known: Self.knownKeys)
    }
}
