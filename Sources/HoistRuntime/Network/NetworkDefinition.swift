public import Foundation
public import HoistOCI

/// A bridge network containers can join: a Linux bridge on the host with its own IPv4 subnet,
/// the bridge's address as the containers' gateway, outbound NAT unless internal, and ports
/// published from the host. Attaching to it is the CNI chain ``cniList(ipamDirectory:)`` makes
/// of the standard plugins: `bridge` with `host-local` addresses, `portmap`, `firewall`.
public struct NetworkDefinition: Sendable, Hashable, Codable {
    /// The name of the network every container and RUN step gets unless told otherwise, as
    /// Docker's is.
    public static let defaultName = "bridge"
    /// Its bridge device.
    public static let defaultBridge = "hoist0"
    /// Its subnet, unless `HOIST_BRIDGE_SUBNET` names another: a /16 of 10.0.0.0/8 that home and
    /// cloud networks rarely use (Docker's 172.17.0.0/16 and Podman's 10.88.0.0/16 left free).
    public static let defaultSubnet = "10.213.0.0/16"

    /// What users call it (`--network NAME`).
    public var name: String
    /// 64 hex digits, as Docker's network IDs.
    public var id: String
    public var subnet: IPv4Subnet
    /// The bridge device on the host (at most 15 characters).
    public var bridge: String
    /// No outbound NAT and no default route (`--internal`).
    public var isInternal: Bool
    /// Whether members find each other by container name (user networks; Docker's default
    /// network does not do it either).
    public var resolvesNames: Bool
    public var created: Date
    public var labels: [String: String]

    public init(
        name: String, id: String, subnet: IPv4Subnet, bridge: String, isInternal: Bool = false, resolvesNames: Bool = true,
        created: Date = Date(), labels: [String: String] = [:]
    ) {
        self.name = name
        self.id = id
        self.subnet = subnet
        self.bridge = bridge
        self.isInternal = isInternal
        self.resolvesNames = resolvesNames
        self.created = created
        self.labels = labels
    }

    /// The default network, with `HOIST_BRIDGE_SUBNET` applied when set.
    public static func defaultNetwork(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NetworkDefinition {
        let subnet = try IPv4Subnet(parsing: environment["HOIST_BRIDGE_SUBNET"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultSubnet)
        return NetworkDefinition(
            name: defaultName, id: String(repeating: "0", count: 64), subnet: subnet, bridge: defaultBridge, resolvesNames: false,
            created: Date(timeIntervalSince1970: 0))
    }

    public var isDefault: Bool { name == Self.defaultName }
    public var gateway: IPv4Address { subnet.gateway }

    /// The CNI network name: the same on every store for the default network (one bridge, one
    /// set of leases), the ID's start for the others.
    public var cniName: String { isDefault ? "hoist-bridge" : "hoist-" + id.prefix(12) }

    /// The CNI chain that attaches a container, its addresses leased under `ipamDirectory`.
    public func cniList(ipamDirectory: String) -> CNINetworkList {
        var ipam: [String: JSONValue] = [
            "type": "host-local",
            "ranges": .array([.array([.object(["subnet": .string(subnet.description), "gateway": .string(gateway.description)])])]),
            "dataDir": .string(ipamDirectory),
        ]
        if !isInternal { ipam["routes"] = .array([.object(["dst": "0.0.0.0/0"])]) }
        let bridgePlugin: JSONValue = .object([
            "type": "bridge", "bridge": .string(bridge), "isGateway": true, "ipMasq": .bool(!isInternal),
            "hairpinMode": true, "ipam": .object(ipam),
        ])
        let portmap: JSONValue = .object(["type": "portmap", "capabilities": .object(["portMappings": true]), "snat": true])
        let firewall: JSONValue = .object(["type": "firewall", "backend": "iptables"])
        return CNINetworkList(name: cniName, plugins: [bridgePlugin, portmap, firewall])
    }
}
