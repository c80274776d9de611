public import HoistOCI

/// A port of the host forwarded to a port of a container (`-p`), as the CNI `portmap` plugin
/// takes it in its `portMappings` runtime config.
public struct PortMapping: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Transport: String, Sendable, Hashable, Codable {
        case tcp, udp, sctp
    }

    /// The host port; 0 until a free one is chosen for `-p CONTAINER` and `-P`.
    public var hostPort: UInt16
    public var containerPort: UInt16
    public var transport: Transport
    /// The host address the port is bound on; nil for all of them.
    public var hostAddress: IPv4Address?

    public init(hostPort: UInt16, containerPort: UInt16, transport: Transport = .tcp, hostAddress: IPv4Address? = nil) {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.transport = transport
        self.hostAddress = hostAddress
    }

    /// As `docker port` shows it: `80/tcp -> 0.0.0.0:8080`.
    public var description: String {
        "\(containerPort)/\(transport.rawValue) -> \(hostAddress?.description ?? "0.0.0.0"):\(hostPort)"
    }

    /// The entry of the `portmap` plugin's `portMappings`.
    var runtimeConfig: JSONValue {
        .object([
            "hostPort": .integer(Int64(hostPort)), "containerPort": .integer(Int64(containerPort)),
            "protocol": .string(transport.rawValue), "hostIP": .string(hostAddress?.description ?? ""),
        ])
    }

    /// Parses `docker run -p`: `[IP:][HOST[-HOST]:]CONTAINER[-CONTAINER][/PROTO]`; a missing
    /// host port (or range) gives host port 0, to be chosen when the container starts. Ranges
    /// must have the same length on both sides. Throws `invalidArgument` naming the flag.
    public static func parse(_ text: String) throws -> [PortMapping] {
        func invalid(_ why: String) -> RuntimeError {
            RuntimeError(.invalidArgument, "invalid port mapping \"\(text)\": \(why)")
        }
        var specification = Substring(text)
        var transport = Transport.tcp
        if let slash = specification.lastIndex(of: "/") {
            guard let parsed = Transport(rawValue: specification[specification.index(after: slash)...].lowercased()) else {
                throw invalid("the protocol must be tcp, udp or sctp")
            }
            transport = parsed
            specification = specification[..<slash]
        }
        let parts = specification.split(separator: ":", omittingEmptySubsequences: false)
        let address: Substring?
        let hostPart: Substring?
        let containerPart: Substring
        switch parts.count {
        case 1: (address, hostPart, containerPart) = (nil, nil, parts[0])
        case 2: (address, hostPart, containerPart) = (nil, parts[0], parts[1])
        case 3: (address, hostPart, containerPart) = (parts[0], parts[1], parts[2])
        default: throw invalid("expected [IP:][HOST:]CONTAINER[/PROTOCOL] (IPv6 host addresses are not supported)")
        }
        var hostAddress: IPv4Address?
        if let address, !address.isEmpty {
            guard let parsed = IPv4Address(address) else { throw invalid("\(address) is not an IPv4 address") }
            hostAddress = parsed.value == 0 ? nil : parsed
        }
        let containerPorts = try range(containerPart, invalid)
        let hostPorts = try hostPart.flatMap { $0.isEmpty ? nil : try range($0, invalid) }
        if let hostPorts, hostPorts.count != containerPorts.count {
            throw invalid("the host and container port ranges differ in length")
        }
        return containerPorts.enumerated().map { index, port in
            PortMapping(
                hostPort: hostPorts.map { $0.lowerBound + UInt16(index) } ?? 0, containerPort: port, transport: transport,
                hostAddress: hostAddress)
        }
    }

    private static func range(_ text: Substring, _ invalid: (String) -> RuntimeError) throws -> ClosedRange<UInt16> {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), let low = UInt16(bounds[0]), low > 0,
            let high = bounds.count == 2 ? UInt16(bounds[1]) : low, high >= low
        else { throw invalid("\"\(text)\" is not a port (1-65535) or a range of ports") }
        return low...high
    }
}
