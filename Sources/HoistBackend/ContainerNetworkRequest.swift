package import HoistOCI
package import HoistRuntime

/// What a container asks of the network each time it starts, worked out once from `docker run`'s
/// flags and the image (`-P` takes the image's EXPOSE), and kept with a created container.
package struct ContainerNetworkRequest: Sendable, Hashable, Codable {
    package var network: ContainerNetwork
    /// Published ports; host port 0 gets a free one at each start.
    package var ports: [PortMapping]
    package var address: IPv4Address?
    package var aliases: [String]

    package init(network: ContainerNetwork, ports: [PortMapping] = [], address: IPv4Address? = nil, aliases: [String] = []) {
        self.network = network
        self.ports = ports
        self.address = address
        self.aliases = aliases
    }

    /// The request of `options` on an image with `config`. Throws `invalidArgument` for an
    /// EXPOSE entry that is not a port, and for `--ip` or aliases without a user network.
    package init(_ options: RunOptions, config: ContainerConfig) throws {
        var ports = options.publishedPorts
        if options.publishAllExposedPorts {
            for exposed in (config.exposedPorts ?? []).sorted() {
                let mappings = try Self.exposedPort(exposed)
                for mapping in mappings where !ports.contains(where: { $0.containerPort == mapping.containerPort && $0.transport == mapping.transport }) {
                    ports.append(mapping)
                }
            }
        }
        if options.address != nil || !options.networkAliases.isEmpty {
            guard case .bridge(let name) = options.network, name != NetworkDefinition.defaultName else {
                throw ClientError(.invalidArgument, "--ip and --network-alias need a user-defined network (hoist network create)")
            }
        }
        self.init(network: options.network, ports: ports, address: options.address, aliases: options.networkAliases)
    }

    /// An EXPOSE entry (`80`, `80/tcp`, `53/udp`, `8000-8002/tcp`) as mappings to free host ports.
    private static func exposedPort(_ text: String) throws -> [PortMapping] {
        do {
            return try PortMapping.parse(text)
        } catch {
            throw ClientError(.invalidArgument, "the image's EXPOSE \(text) is not a port", underlying: error)
        }
    }
}
