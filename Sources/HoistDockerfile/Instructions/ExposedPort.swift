/// A container port from `EXPOSE`, as the image config's `ExposedPorts` keys it (`80/tcp`).
public struct ExposedPort: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The port number.
    public var number: UInt16
    /// `tcp`, `udp` or `sctp`.
    public var transport: String

    /// Creates a port.
    public init(number: UInt16, transport: String = "tcp") {
        self.number = number
        self.transport = transport
    }

    /// The ports one expanded `EXPOSE` word stands for: `80`, `80/udp`, `8000-8002/tcp`; a
    /// host part (`127.0.0.1:8080:80`) is dropped, as Docker does (the `ExposeInvalidFormat`
    /// check warns about it). The protocol is matched case-insensitively.
    /// - Throws: ``ExposedPortError`` for a bad number, range or protocol.
    public static func parse(_ specification: String) throws(ExposedPortError) -> [ExposedPort] {
        var text = Substring(specification)
        var transport = "tcp"
        if let slash = text.lastIndex(of: "/") {
            transport = text[text.index(after: slash)...].lowercased()
            text = text[..<slash]
        }
        guard ["tcp", "udp", "sctp"].contains(transport) else {
            throw ExposedPortError(message: "invalid proto: \(transport)")
        }
        if let colon = text.lastIndex(of: ":") { text = text[text.index(after: colon)...] }
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let low = UInt16(bounds[0]), let high = bounds.count == 2 ? UInt16(bounds[1]) : low else {
            throw ExposedPortError(message: "invalid containerPort: \(text)")
        }
        guard low <= high else {
            throw ExposedPortError(message: "invalid range specified for container port: \(text)")
        }
        return (low...high).map { ExposedPort(number: $0, transport: transport) }
    }

    public static func < (lhs: ExposedPort, rhs: ExposedPort) -> Bool {
        (lhs.number, lhs.transport) < (rhs.number, rhs.transport)
    }

    public var description: String { "\(number)/\(transport)" }
}

/// An `EXPOSE` word that is not a port specification.
public struct ExposedPortError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The human message.
    public var message: String
    public var description: String { message }
}
