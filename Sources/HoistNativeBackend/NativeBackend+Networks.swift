import Foundation
public import HoistBackend
public import HoistRuntime
public import HoistStore

/// Bridge networks (`hoist network …`) and how containers join them: CNI plugins driven by
/// ``ContainerNetworking``, networks kept per store by ``NetworkCatalog``.
extension NativeBackend {
    var networkCatalog: NetworkCatalog { NetworkCatalog(store: store.root) }

    /// Makes user network `name` (`hoist network create`), on `subnet` (`10.214.N.0/24` when
    /// nil); members reach each other by container name. Throws `alreadyExists`, and
    /// `invalidArgument` for a bad name or an overlapping subnet.
    @discardableResult
    public func createNetwork(_ name: String, subnet: String? = nil, internal: Bool = false, labels: [String: String] = [:]) throws
        -> NetworkDefinition
    {
        try networkCatalog.create(name, subnet: try subnet.map { try IPv4Subnet(parsing: $0) }, isInternal: `internal`, labels: labels)
    }

    /// Every network, the default `bridge` first.
    public func networks() throws -> [NetworkDefinition] { try networkCatalog.list() }

    /// Network `name` (a name, an ID or a unique prefix of one) and what is attached to it now.
    public func network(_ name: String) async throws -> (definition: NetworkDefinition, attachments: [NetworkAttachment]) {
        let definition = try networkCatalog.definition(name)
        let networking = ContainerNetworking()
        await networking.sweep()
        return (definition, networking.activeAttachments(networkID: definition.id).filter { !$0.pooled || networking.owner(of: $0.id) != nil })
    }

    /// Removes user network `name`; `failedPrecondition` while containers use it.
    public func removeNetwork(_ name: String) async throws { try await networkCatalog.remove(name) }

    /// Removes user networks no container uses, what killed processes left, and the idle
    /// namespaces prepared for RUN steps; returns the names of the networks removed.
    public func pruneNetworks() async throws -> [String] { try await networkCatalog.prune() }

    // MARK: - Joining

    /// Puts `settings` on the network `request` names for the container `id` (`names` for other
    /// members): the runtime joins the namespace returned, which this process holds until
    /// ``leaveNetwork(_:reusable:)``. None for `none` and `host`. On the default network
    /// without ports, a prepared namespace of the pool serves (see ``ContainerNetworking``).
    func joinNetwork(_ request: ContainerNetworkRequest, id: String, names: [String], settings: inout ContainerSettings) async throws
        -> NetworkAttachment?
    {
        guard case .bridge(let name) = request.network else {
            settings.network = request.network == .host ? .host : .none
            return nil
        }
        let definition = try networkCatalog.definition(name)
        guard ContainerNetworking.isSupported else {
            // Without root there is no bridge; the default falls back to a network of its own.
            guard definition.isDefault, request.ports.isEmpty else {
                throw ClientError(.unsupported, "network \(name) and published ports need root (CNI configures the host's network)")
            }
            settings.network = .none
            return nil
        }
        let networking = ContainerNetworking()
        await networking.sweep()
        let attachment: NetworkAttachment
        if definition.isDefault && request.ports.isEmpty && request.address == nil {
            attachment = try await networking.takeFromPool(definition)
            if let address = attachment.address {
                settings.nameResolution.extraHosts.append(HostsEntry(address: address.description, names: [settings.hostname]))
            }
        } else {
            attachment = try await networking.attach(
                definition,
                ContainerNetworking.Request(
                    id: "hoist-" + id, names: names + request.aliases, hostname: settings.hostname, ports: request.ports,
                    address: request.address, extraHosts: settings.nameResolution.extraHosts))
            settings.mounts.append(.bind(source: attachment.hostsFile, destination: "/etc/hosts", readOnly: false))
        }
        settings.network = .namespace(attachment.namespace)
        return attachment
    }

    /// Lets go of what ``joinNetwork(_:id:names:settings:)`` returned: a pooled namespace goes
    /// back to the pool when `reusable` (the container could not have changed it), anything else
    /// is torn down.
    func leaveNetwork(_ attachment: NetworkAttachment?, reusable: Bool) async {
        guard let attachment else { return }
        let networking = ContainerNetworking()
        if attachment.pooled {
            await networking.giveBack(attachment, reusable: reusable)
        } else {
            await networking.detach(attachment.id)
        }
    }

    /// Whether a container of `settings` could have changed its namespace (a capability to
    /// administer it).
    static func mayChangeNetwork(_ settings: ContainerSettings) -> Bool {
        settings.privileged == true || settings.capabilitiesAdded.contains { ["ALL", "NET_ADMIN", "CAP_NET_ADMIN"].contains($0.uppercased()) }
    }
}
