public import Foundation
public import HoistOCI

/// One container's (or RUN step's) place on a network: the network namespace Hoist made for it,
/// and what the CNI chain was given and answered. Kept as a record on disk from
/// before the first plugin runs until the last DEL has, so whatever a killed process left half
/// done is found and undone by the next one (see ``ContainerNetworking/sweep()``).
public struct NetworkAttachment: Sendable, Hashable, Codable {
    /// The CNI container ID (`hoist-…`), also the record's file name.
    public var id: String
    /// The network's name and ID when attached.
    public var network: String
    public var networkID: String
    /// Whether the network's members find each other by name.
    public var resolvesNames: Bool
    /// The chain as it ran at ADD: DEL needs the same, even after the network is gone.
    public var list: CNINetworkList
    public var target: CNINetworkList.Target
    /// The chain's ADD result, once it succeeded.
    public var result: JSONValue?
    /// The container's address on the network.
    public var address: IPv4Address?
    /// Whether it belongs to the pool of prepared namespaces (RUN steps) rather than to one
    /// container. Who holds an attachment is not in the record but in its lease file (see
    /// ``ContainerNetworking``), so that taking and giving back cost no record rewrite.
    public var pooled: Bool
    /// The name and aliases other members reach it by.
    public var names: [String]
    /// Its hostname, on its own line of its /etc/hosts.
    public var hostname: String
    /// Its /etc/hosts, rewritten when members of a network that resolves names come and go.
    public var hostsFile: String
    /// `--add-host` entries, kept for those rewrites.
    public var extraHosts: [HostsEntry]
    /// The published ports, host ports chosen.
    public var ports: [PortMapping]

    /// The network namespace's path.
    public var namespace: String { target.namespace }

    /// The address and prefix as the bridge plugin reported them (`10.213.0.5/16`).
    static func address(in result: JSONValue) -> IPv4Address? {
        for entry in result.objectValue?["ips"]?.arrayValue ?? [] {
            guard let text = entry.objectValue?["address"]?.stringValue, let slash = text.firstIndex(of: "/") else { continue }
            if let address = IPv4Address(text[..<slash]) { return address }
        }
        return nil
    }
}
