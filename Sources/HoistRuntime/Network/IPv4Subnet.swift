/// An IPv4 address.
public struct IPv4Address: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text (`10.213.0.1`); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        self.value = value
    }

    public var description: String {
        [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }.joined(separator: ".")
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPv4Address(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an IPv4 address: \(text)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An IPv4 network in CIDR form (`10.213.0.0/16`).
public struct IPv4Subnet: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first address (host bits zero).
    public var network: IPv4Address
    public var prefixLength: Int

    public init(network: IPv4Address, prefixLength: Int) {
        self.prefixLength = prefixLength
        self.network = IPv4Address(network.value & Self.mask(prefixLength))
    }

    /// Parses `A.B.C.D/N` with N in 8…30 (room for a gateway and containers); the host bits
    /// must be zero, as Docker requires. Throws `invalidArgument` saying what is wrong.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]), let length = Int(parts[1]), (8...30).contains(length) else {
            throw RuntimeError(.invalidArgument, "invalid subnet \"\(text)\": expected an IPv4 network such as 10.213.0.0/16 (prefix 8 to 30)")
        }
        guard address.value & ~Self.mask(length) == 0 else {
            throw RuntimeError(.invalidArgument, "invalid subnet \"\(text)\": host bits are set (did you mean \(IPv4Subnet(network: address, prefixLength: length))?)")
        }
        self.init(network: address, prefixLength: length)
    }

    public var description: String { "\(network)/\(prefixLength)" }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    /// The last address (the broadcast address).
    public var last: IPv4Address { IPv4Address(network.value | ~Self.mask(prefixLength)) }

    /// The first usable address, which Hoist gives the bridge (the containers' gateway).
    public var gateway: IPv4Address { IPv4Address(network.value + 1) }

    public func contains(_ address: IPv4Address) -> Bool { address.value & Self.mask(prefixLength) == network.value }

    public func overlaps(_ other: IPv4Subnet) -> Bool {
        contains(other.network) || other.contains(network)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
