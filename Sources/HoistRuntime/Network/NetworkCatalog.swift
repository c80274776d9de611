#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
public import HoistStore

/// The networks of a store (`hoist network create/ls/inspect/rm/prune`): the default `bridge`,
/// always there, and user networks kept as `networks/NAME.json` in the store. A user network's
/// subnet is claimed host-wide (in ``ContainerNetworking``'s directory) when it is made, so two
/// stores on one machine never pick the same one.
public struct NetworkCatalog: Sendable {
    /// Where user-network subnets are chosen from, a /24 each (`hoist network create` without
    /// `--subnet`).
    public static let userPool = "10.214.0.0/16"

    public let directory: URL
    public let networking: ContainerNetworking

    public init(store: StoreRoot, networking: ContainerNetworking = ContainerNetworking()) {
        directory = store.url.appendingPathComponent("networks", isDirectory: true)
        self.networking = networking
    }

    var claimsDirectory: String { networking.directory.appendingPathComponent("subnets").path }

    /// The default network first, then user networks by name.
    public func list() throws -> [NetworkDefinition] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let users = try names.filter { $0.hasSuffix(".json") }.sorted().map { try read(directory.appendingPathComponent($0).path) }
        return [try NetworkDefinition.defaultNetwork()] + users
    }

    /// The network `name` (or an ID or unique prefix of one); `notFound` otherwise.
    public func definition(_ name: String) throws -> NetworkDefinition {
        let all = try list()
        if let exact = all.first(where: { $0.name == name || $0.id == name }) { return exact }
        let matches = name.count >= 3 ? all.filter { $0.id.hasPrefix(name) } : []
        guard matches.count == 1 else {
            throw RuntimeError(matches.isEmpty ? .notFound : .invalidArgument, matches.isEmpty ? "network \(name) not found" : "network ID prefix \(name) is ambiguous")
        }
        return matches[0]
    }

    /// Makes user network `name` with `subnet` (a free /24 of ``userPool`` when nil). Throws
    /// `alreadyExists`, `invalidArgument` for a bad or reserved name and for a subnet that
    /// overlaps another network's or a route of the host.
    public func create(_ name: String, subnet requested: IPv4Subnet? = nil, isInternal: Bool = false, labels: [String: String] = [:]) throws
        -> NetworkDefinition
    {
        try Self.validate(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(atPath: claimsDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return try networking.withLock {
            guard (try? definition(name)) == nil else { throw RuntimeError(.alreadyExists, "network with name \(name) already exists") }
            let taken = try takenSubnets()
            let subnet: IPv4Subnet
            if let requested {
                if let clash = taken.first(where: { $0.subnet.overlaps(requested) }) {
                    throw RuntimeError(.invalidArgument, "subnet \(requested) overlaps \(clash.what) (\(clash.subnet))")
                }
                subnet = requested
            } else {
                let pool = try IPv4Subnet(parsing: Self.userPool)
                let candidates = (0..<256).map { IPv4Subnet(network: IPv4Address(pool.network.value + UInt32($0) << 8), prefixLength: 24) }
                guard let free = candidates.first(where: { candidate in !taken.contains { $0.subnet.overlaps(candidate) } }) else {
                    throw RuntimeError(.failedPrecondition, "no free /24 subnet left in \(Self.userPool): remove networks or give --subnet")
                }
                subnet = free
            }
            let id = (0..<4).map { _ in ContainerNetworking.randomID() }.joined()
            let network = NetworkDefinition(
                name: name, id: id, subnet: subnet, bridge: "hoist-" + id.prefix(9), isInternal: isInternal, labels: labels)
            let claim = Claim(subnet: subnet, definition: path(of: name))
            try JSONEncoder().encode(claim).write(to: URL(fileURLWithPath: claimsDirectory + "/" + network.cniName + ".json"))
            try JSONEncoder().encode(network).write(to: URL(fileURLWithPath: path(of: name)), options: .atomic)
            return network
        }
    }

    /// Removes user network `name`: its bridge, leases and claim. `failedPrecondition` for the
    /// default network and for one that containers use (``ContainerNetworking/sweep()`` runs
    /// first, so dead users do not count).
    public func remove(_ name: String) async throws {
        let network = try definition(name)
        guard !network.isDefault else { throw RuntimeError(.failedPrecondition, "\(network.name) is a pre-defined network and cannot be removed") }
        await networking.sweep()
        let users = networking.activeAttachments(networkID: network.id)
        guard users.isEmpty else {
            throw RuntimeError(.failedPrecondition, "network \(network.name) has active endpoints (\(users.map { $0.names.first ?? $0.id }.joined(separator: ", ")))")
        }
        unlink(path(of: network.name))
        unlink(claimsDirectory + "/" + network.cniName + ".json")
        try? FileManager.default.removeItem(atPath: networking.ipamDirectory + "/" + network.cniName)
        await Self.deleteBridge(network.bridge)
    }

    /// Removes the user networks no container uses, tears down dead attachments and the idle
    /// prepared namespaces; returns the names removed.
    public func prune() async throws -> [String] {
        await networking.sweep()
        await networking.drainPool()
        var removed: [String] = []
        for network in try list() where !network.isDefault && networking.activeAttachments(networkID: network.id).isEmpty {
            try await remove(network.name)
            removed.append(network.name)
        }
        return removed
    }

    // MARK: - Parts

    struct Claim: Codable {
        var subnet: IPv4Subnet
        /// The definition that holds it; a claim whose definition is gone is free.
        var definition: String
    }

    /// Subnets no new network may overlap: the default network's, claimed ones, and the host's
    /// routes (its own networks, other bridges).
    private func takenSubnets() throws -> [(subnet: IPv4Subnet, what: String)] {
        var taken: [(IPv4Subnet, String)] = [(try NetworkDefinition.defaultNetwork().subnet, "the default network")]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: claimsDirectory)) ?? [] where name.hasSuffix(".json") {
            let path = claimsDirectory + "/" + name
            guard let data = FileManager.default.contents(atPath: path), let claim = try? JSONDecoder().decode(Claim.self, from: data) else { continue }
            if FileManager.default.fileExists(atPath: claim.definition) {
                taken.append((claim.subnet, "network " + URL(fileURLWithPath: claim.definition).deletingPathExtension().lastPathComponent))
            } else {
                unlink(path)
            }
        }
        return taken + Self.hostRoutes().map { ($0.subnet, "a route of the host on \($0.interface)") }
    }

    /// The host's IPv4 routes other than the default one, from /proc/net/route.
    static func hostRoutes() -> [(subnet: IPv4Subnet, interface: String)] {
        guard let text = try? String(contentsOfFile: "/proc/net/route", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count >= 8, let destination = UInt32(fields[1], radix: 16), let mask = UInt32(fields[7], radix: 16), mask != 0
            else { return nil }
            return (IPv4Subnet(network: IPv4Address(destination.byteSwapped), prefixLength: mask.nonzeroBitCount), String(fields[0]))
        }
    }

    /// Removes bridge device `name` if it exists (the bridge plugin makes it, never removes it).
    static func deleteBridge(_ name: String) async {
        guard FileManager.default.fileExists(atPath: "/sys/class/net/\(name)") else { return }
        var process = ExternalProcess("ip", ["link", "delete", name, "type", "bridge"])
        process.standardOutput = .discard
        process.standardError = .discard
        _ = try? await process.run()
    }

    private func path(of name: String) -> String { directory.appendingPathComponent(name + ".json").path }

    private func read(_ path: String) throws -> NetworkDefinition {
        do {
            return try JSONDecoder().decode(NetworkDefinition.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw RuntimeError(.dataLoss, "the network definition \(path) cannot be read", underlying: error)
        }
    }

    /// Docker's rule for network names, and the names that mean a mode rather than a network.
    static func validate(_ name: String) throws {
        let reserved = ["bridge", "host", "none", "default"]
        guard !reserved.contains(name) else {
            throw RuntimeError(.invalidArgument, "\(name) is a pre-defined network name and cannot be used")
        }
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }), name.count <= 128
        else {
            throw RuntimeError(.invalidArgument, "invalid network name \"\(name)\": use letters, digits, '_', '.' and '-', starting with a letter or digit")
        }
    }
}
