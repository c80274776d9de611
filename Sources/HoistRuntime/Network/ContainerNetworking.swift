#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
public import HoistOCI
public import HoistStore
import Synchronization

/// Attaches containers and RUN steps to bridge networks through the CNI plugins, without a
/// daemon: every attachment is a record under one host-wide directory (`/run/hoist/net`), written
/// before the first plugin runs and removed after the last DEL, and a lease naming the process
/// that holds it.
/// Any Hoist command can then finish what a killed one left: ``sweep()`` tears down the
/// attachments whose owner has died and whose namespace no process uses any more — DEL through
/// the chain (veth, address lease, NAT and port rules), the namespace's mount, the record.
///
/// The directory holds `attachments/ID.json`, `leases/ID` (the holder: pid, start time, boot),
/// `netns/ID` (namespace mounts), `hosts/ID` (each attachment's /etc/hosts), `ipam/`
/// (host-local's leases) and `lock`. It is host-wide rather
/// than per store because what it tracks is: one bridge, one set of addresses and iptables
/// rules for every store on the machine.
///
/// RUN steps take their namespace from a small pool of prepared ones on the default network
/// (``takeFromPool(_:)``), as BuildKit keeps one, so that a step pays for CNI only when the pool
/// is empty; a step's processes are gone when it ends and it could not change the namespace
/// without `CAP_NET_ADMIN`, so the namespace is handed back for the next step. A pooled
/// attachment without a lease is idle; its ID carries a digest of its CNI chain, so taking one
/// reads no record.
public final class ContainerNetworking: Sendable {
    /// The most idle prepared namespaces kept for RUN steps.
    public static let poolLimit = 4

    public let directory: URL
    /// Records of pooled attachments this instance has read or written: they do not change
    /// while they exist, so a step that takes the same namespace again reads no JSON.
    private let pooledRecords = Mutex<[String: NetworkAttachment]>([:])
    /// The pool prefix of each chain, worked out once.
    private let poolPrefixes = Mutex<[CNINetworkList: String]>([:])

    /// `/run/hoist/net` (`HOIST_NETWORK_STATE` overrides it, for tests).
    public static var defaultDirectory: URL {
        if let custom = ProcessInfo.processInfo.environment["HOIST_NETWORK_STATE"], !custom.isEmpty {
            return URL(fileURLWithPath: custom)
        }
        return URL(fileURLWithPath: "/run/hoist/net")
    }

    /// Whether bridge networks can be used by this process: CNI's bridge plugin needs root.
    public static var isSupported: Bool { geteuid() == 0 && !HostUser.isRootless }

    public init(directory: URL = ContainerNetworking.defaultDirectory) {
        self.directory = directory
    }

    var attachmentsDirectory: String { directory.appendingPathComponent("attachments").path }
    var namespacesDirectory: String { directory.appendingPathComponent("netns").path }
    var hostsDirectory: String { directory.appendingPathComponent("hosts").path }
    var leasesDirectory: String { directory.appendingPathComponent("leases").path }
    /// host-local's `dataDir`: its leases, one directory per CNI network name.
    public var ipamDirectory: String { directory.appendingPathComponent("ipam").path }

    /// What a container asks of its attachment.
    public struct Request: Sendable {
        /// The CNI container ID (unique on the host).
        public var id: String
        /// Its name and aliases, for other members' /etc/hosts.
        public var names: [String]
        /// Its hostname, on its own address in its /etc/hosts.
        public var hostname: String
        /// Ports to publish; host port 0 is replaced by a free one.
        public var ports: [PortMapping]
        /// A fixed address (`--ip`).
        public var address: IPv4Address?
        /// `--add-host` entries.
        public var extraHosts: [HostsEntry]

        public init(
            id: String, names: [String] = [], hostname: String, ports: [PortMapping] = [], address: IPv4Address? = nil,
            extraHosts: [HostsEntry] = []
        ) {
            self.id = id
            self.names = names
            self.hostname = hostname
            self.ports = ports
            self.address = address
            self.extraHosts = extraHosts
        }
    }

    // MARK: - Attaching

    /// Makes a network namespace and attaches it to `network` for `request` (held by this
    /// process until ``detach(_:)``). Throws `unsupported` without root, `invalidArgument` for an
    /// address outside the subnet, and the plugins' errors; nothing is left behind on failure.
    public func attach(_ network: NetworkDefinition, _ request: Request) async throws -> NetworkAttachment {
        try await attach(network, request, pooled: false)
    }

    private func attach(_ network: NetworkDefinition, _ request: Request, pooled: Bool) async throws -> NetworkAttachment {
        guard Self.isSupported else {
            throw RuntimeError(.unsupported, "bridge networks need root (CNI plugins configure the host's network); use --network none or host")
        }
        if let address = request.address {
            guard network.subnet.contains(address), address != network.gateway, address != network.subnet.network,
                address != network.subnet.last
            else {
                throw RuntimeError(.invalidArgument, "address \(address) is not a free host address of network \(network.name) (\(network.subnet))")
            }
        }
        try makeDirectories()
        let ports = try request.ports.map(Self.choosingHostPort)
        var arguments: [String: String] = [:]
        if let address = request.address { arguments = ["IgnoreUnknown": "1", "IP": address.description] }
        let namespace = namespacesDirectory + "/" + request.id
        var attachment = NetworkAttachment(
            id: request.id, network: network.name, networkID: network.id, resolvesNames: network.resolvesNames, list: network.cniList(ipamDirectory: ipamDirectory),
            target: CNINetworkList.Target(
                containerID: request.id, namespace: namespace, runtimeConfig: ports.isEmpty ? [:] : ["portMappings": .array(ports.map(\.runtimeConfig))],
                arguments: arguments),
            pooled: pooled, names: request.names, hostname: request.hostname, hostsFile: hostsDirectory + "/" + request.id,
            extraHosts: request.extraHosts, ports: ports)
        // The record comes first: a crash from here on leaves something a sweep can undo.
        try withLock {
            guard !FileManager.default.fileExists(atPath: recordPath(request.id)) else {
                throw RuntimeError(.alreadyExists, "a network attachment \(request.id) exists already")
            }
            try setOwner(of: request.id, to: .current)
            try write(attachment)
        }
        do {
            try NetworkNamespace.create(at: namespace)
            _ = try await Self.loopback.add(CNINetworkList.Target(containerID: request.id, namespace: namespace, interface: "lo"))
            let result = try await attachment.list.add(attachment.target)
            attachment.result = result
            attachment.address = NetworkAttachment.address(in: result)
            try withLock {
                try write(attachment)
                try writeHostsFiles(networkID: network.id, resolvesNames: network.resolvesNames, newcomer: attachment)
            }
        } catch {
            await tearDown(attachment)
            throw error
        }
        return attachment
    }

    /// Detaches attachment `id` (if it exists): DEL through its chain, its namespace and files
    /// removed, other members' /etc/hosts rewritten. Failures of single plugins are not thrown:
    /// DEL frees what it can and the record goes either way, as a runtime must not keep a
    /// container's network alive because one plugin complains.
    public func detach(_ id: String) async {
        guard let attachment = try? read(recordPath(id)) else { return }
        await tearDown(attachment)
    }

    /// Attachment `id`, if it is on record.
    public func attachment(_ id: String) -> NetworkAttachment? { try? read(recordPath(id)) }

    /// Every attachment on record.
    public func attachments() -> [NetworkAttachment] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: attachmentsDirectory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { try? read(attachmentsDirectory + "/" + $0) }
    }

    /// The attachments on network `networkID` held by a live process or a running container.
    public func activeAttachments(networkID: String) -> [NetworkAttachment] {
        attachments().filter { $0.networkID == networkID && isHeld($0.id) }
    }

    /// The process holding attachment `id`, nil when none does (an idle pooled namespace, or a
    /// record whose lease was never written).
    public func owner(of id: String) -> ProcessIdentity? {
        guard let text = try? String(contentsOfFile: leasesDirectory + "/" + id, encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count == 3, let pid = Int32(fields[0]), let start = UInt64(fields[1]) else { return nil }
        return ProcessIdentity(pid: pid, startTime: start, bootID: String(fields[2]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Tears down every attachment whose owner has died and whose namespace no process uses
    /// (a killed `hoist` process, a container that ended with no Hoist process watching), and
    /// returns how many. Idle pooled namespaces are kept; ``drainPool()`` removes those.
    @discardableResult
    public func sweep() async -> Int {
        guard FileManager.default.fileExists(atPath: attachmentsDirectory) else { return 0 }
        let claimed: [String] = (try? withLock {
            var claimed: [String] = []
            for id in recordIDs() where !isHeld(id) {
                // Claimed for this process, so that a concurrent sweep leaves it alone.
                try setOwner(of: id, to: .current)
                claimed.append(id)
            }
            return claimed
        }) ?? []
        for id in claimed { await detach(id) }
        return claimed.count
    }

    /// Whether something still holds attachment `id`: its owner lives, or it is idle in the
    /// pool, or a process is in its namespace.
    func isHeld(_ id: String) -> Bool {
        guard let owner = owner(of: id) else {
            return Self.isPooled(id) || NetworkNamespace.isInUse(namespacesDirectory + "/" + id)
        }
        return owner.isRunning || NetworkNamespace.isInUse(namespacesDirectory + "/" + id)
    }

    // MARK: - The pool of prepared namespaces

    /// A namespace on `network` for one RUN step, held by this process: an idle one of the pool
    /// when there is one made for the same chain, else a new one. Give it back with
    /// ``giveBack(_:reusable:)``.
    public func takeFromPool(_ network: NetworkDefinition) async throws -> NetworkAttachment {
        let list = network.cniList(ipamDirectory: ipamDirectory)
        let prefix = poolPrefixes.withLock { known in
            if let prefix = known[list] { return prefix }
            let prefix = Self.poolPrefix(list)
            known[list] = prefix
            return prefix
        }
        if FileManager.default.fileExists(atPath: attachmentsDirectory) {
            let taken: String? = try withLock {
                for id in recordIDs() where id.hasPrefix(prefix) && owner(of: id) == nil && NetworkNamespace.isBound(namespacesDirectory + "/" + id) {
                    try setOwner(of: id, to: .current)
                    return id
                }
                return nil
            }
            if let taken {
                if let attachment = pooledRecords.withLock({ $0[taken] }) ?? attachment(taken) {
                    pooledRecords.withLock { $0[taken] = attachment }
                    return attachment
                }
                await detach(taken)
            }
        }
        let made = try await attach(network, Request(id: prefix + Self.randomID(), hostname: "buildkitsandbox"), pooled: true)
        pooledRecords.withLock { $0[made.id] = made }
        return made
    }

    /// Hands a namespace from ``takeFromPool(_:)`` back: idle in the pool when `reusable` and
    /// the pool has room, torn down otherwise (a step with `CAP_NET_ADMIN` may have changed it).
    public func giveBack(_ attachment: NetworkAttachment, reusable: Bool) async {
        if reusable {
            let kept = (try? withLock { () -> Bool in
                let idle = recordIDs().filter { Self.isPooled($0) && owner(of: $0) == nil }.count
                guard idle < Self.poolLimit else { return false }
                try setOwner(of: attachment.id, to: nil)
                return true
            }) ?? false
            if kept { return }
        }
        await tearDown(attachment)
    }

    /// Tears down the idle namespaces of the pool; returns how many.
    @discardableResult
    public func drainPool() async -> Int {
        let claimed: [String] = (try? withLock {
            var claimed: [String] = []
            for id in recordIDs() where Self.isPooled(id) && owner(of: id) == nil {
                try setOwner(of: id, to: .current)
                claimed.append(id)
            }
            return claimed
        }) ?? []
        for id in claimed { await detach(id) }
        return claimed.count
    }

    /// Pooled attachments are named `hoist-p-DIGEST-…`, DIGEST standing for their chain.
    static func poolPrefix(_ list: CNINetworkList) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let digest = Digest(of: (try? encoder.encode(list)) ?? Data())
        return "hoist-p-" + digest.encoded.prefix(8) + "-"
    }

    static func isPooled(_ id: String) -> Bool { id.hasPrefix("hoist-p-") }

    // MARK: - Parts

    /// The loopback plugin, run on its own (`lo`) as container runtimes do: a chain's plugins all
    /// configure the one interface CNI_IFNAME names.
    static let loopback = CNINetworkList(name: "hoist-loopback", plugins: [.object(["type": "loopback"])])

    private func tearDown(_ attachment: NetworkAttachment) async {
        _ = pooledRecords.withLock { $0.removeValue(forKey: attachment.id) }
        if FileManager.default.fileExists(atPath: attachment.namespace) || attachment.result != nil {
            try? await attachment.list.delete(attachment.target, result: attachment.result)
        }
        NetworkNamespace.remove(at: attachment.namespace)
        try? withLock {
            unlink(attachment.hostsFile)
            unlink(recordPath(attachment.id))
            unlink(leasesDirectory + "/" + attachment.id)
            if attachment.address != nil && attachment.resolvesNames {
                try writeHostsFiles(networkID: attachment.networkID, resolvesNames: true, newcomer: nil)
            }
        }
    }

    /// Writes the /etc/hosts of `newcomer` and, on a network that resolves names, rewrites every
    /// member's so each lists the others by name.
    private func writeHostsFiles(networkID: String, resolvesNames: Bool, newcomer: NetworkAttachment?) throws {
        var members = attachments().filter { $0.networkID == networkID && $0.address != nil && !$0.pooled }
        if let newcomer, !members.contains(where: { $0.id == newcomer.id }) { members.append(newcomer) }
        for member in members where member.id == newcomer?.id || resolvesNames && !member.names.isEmpty {
            var entries = member.extraHosts
            if resolvesNames {
                for other in members where other.id != member.id && !other.names.isEmpty {
                    entries.append(HostsEntry(address: other.address!.description, names: other.names))
                }
            }
            entries.append(HostsEntry(address: member.address!.description, names: Self.unique([member.hostname] + member.names)))
            try Self.overwrite(member.hostsFile, with: HostsFile.render(entries))
        }
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Rewrites `path` in place: it is bind-mounted into a running container, so a new file
    /// renamed over it would not be seen there.
    static func overwrite(_ path: String, with text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RuntimeError(.unavailable, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw RuntimeError(.unavailable, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A mapping with a free host port in place of 0 (`-p 80`, `-P`), as Docker picks one.
    static func choosingHostPort(_ mapping: PortMapping) throws -> PortMapping {
        guard mapping.hostPort == 0 else { return mapping }
        let kind = mapping.transport == .udp ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        let socketDescriptor = socket(AF_INET, kind, 0)
        guard socketDescriptor >= 0 else { throw RuntimeError(.unavailable, "cannot choose a free host port") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = (mapping.hostAddress?.value ?? 0).bigEndian
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketDescriptor, $0, length) == 0 && getsockname(socketDescriptor, $0, &length) == 0
            }
        }
        guard bound else { throw RuntimeError(.unavailable, "cannot choose a free host port: \(String(cString: strerror(errno)))") }
        var chosen = mapping
        chosen.hostPort = UInt16(bigEndian: address.sin_port)
        return chosen
    }

    static func randomID() -> String {
        String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
    }

    private func makeDirectories() throws {
        for path in [attachmentsDirectory, leasesDirectory, namespacesDirectory, hostsDirectory, ipamDirectory] {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw RuntimeError(.unavailable, "cannot create \(path)", underlying: error)
            }
        }
    }

    private func recordPath(_ id: String) -> String { attachmentsDirectory + "/" + id + ".json" }

    /// The IDs of every record, from the directory's names alone.
    private func recordIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: attachmentsDirectory)) ?? []
        return names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Writes (or, for nil, removes) the lease of attachment `id`: `PID STARTTIME BOOTID`.
    private func setOwner(of id: String, to owner: ProcessIdentity?) throws {
        let path = leasesDirectory + "/" + id
        guard let owner else {
            unlink(path)
            return
        }
        do {
            try Data("\(owner.pid) \(owner.startTime) \(owner.bootID)\n".utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
            guard rename(path + ".tmp", path) == 0 else { throw RuntimeError(.unavailable, String(cString: strerror(errno))) }
        } catch {
            throw RuntimeError(.unavailable, "cannot write \(path)", underlying: error)
        }
    }

    private func read(_ path: String) throws -> NetworkAttachment {
        try JSONDecoder().decode(NetworkAttachment.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes the record whole (temporary file, then rename).
    private func write(_ attachment: NetworkAttachment) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let path = recordPath(attachment.id)
        do {
            try encoder.encode(attachment).write(to: URL(fileURLWithPath: path + ".tmp"))
            guard rename(path + ".tmp", path) == 0 else { throw RuntimeError(.unavailable, String(cString: strerror(errno))) }
        } catch {
            throw RuntimeError(.unavailable, "cannot write \(path)", underlying: error)
        }
    }

    /// Runs `body` holding the directory's lock (flock: released by the kernel if this process
    /// dies), so records are read and changed by one process at a time.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = directory.appendingPathComponent("lock").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw RuntimeError(.unavailable, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw RuntimeError(.unavailable, "cannot lock \(path): \(String(cString: strerror(errno)))") }
        }
        return try body()
    }
}
