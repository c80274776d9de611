#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Hoist
import HoistRuntime
import HoistStore
import HoistTestSupport
import Testing

/// Networking as a `docker run` user meets it, with real runc and Debian's CNI plugins: a busybox
/// `httpd` reached from the host through `-p`, containers reaching each other by name on a user
/// network, RUN steps in a namespace of their own (issue 15's attack, failing), and nothing left
/// on the host after `rm` or after `kill -9`. Traffic goes only to the host's own addresses
/// (loopback, bridge addresses) and to namespaces these tests made.
@Suite(
    "hoist networking", .serialized,
    .enabled(if: Interop.isRoot && Interop.available("runc") && Interop.available("iptables-save") && Interop.available("python3")))
struct NetworkCommandTests {
    let directory: TemporaryDirectory
    let store: URL

    init() throws {
        directory = try TemporaryDirectory()
        store = directory.appending("store")
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        try Interop.hoist(["import", "--change", "CMD [\"sh\"]", "--change", "EXPOSE 80/tcp", rootfs.path, "busybox"], root: store)
            .checkedStatus()
    }

    private func hoist(_ arguments: String..., input: Data? = nil) throws -> ExternalCommand.Output {
        try Interop.hoist(arguments, root: store, input: input)
    }

    /// Fetches `url` from the host, retrying (bounded) while the server in the container starts.
    private func fetch(_ url: String, attempts: Int = 50) throws -> String? {
        for _ in 0..<attempts {
            let output = try ExternalCommand.run(["python3", "-c", "import sys,urllib.request;sys.stdout.write(urllib.request.urlopen(sys.argv[1],timeout=2).read().decode())", url])
            if output.status == 0 { return output.text }
            usleep(100_000)
        }
        return nil
    }

    private func attachmentIDs() -> Set<String> {
        Set(ContainerNetworking().attachments().map(\.id))
    }

    @Test func aPublishedHttpdIsReachedFromTheHostAndNothingIsLeftAfterRm() throws {
        let port = try FreePort.next()
        let before = HostNetworkState.capture()
        let started = try hoist(
            "run", "-d", "--name", "web", "-p", "127.0.0.1:\(port):80", "busybox", "sh", "-c",
            "mkdir -p /www && echo served-from-the-container > /www/index.html && exec httpd -f -p 80 -h /www")
        #expect(started.status == 0, "\(started.errorText)")
        let id = started.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let attachment = try #require(ContainerNetworking().attachments().first { $0.id == "hoist-" + id }, "no attachment for \(id)")
        #expect(attachment.ports == [PortMapping(hostPort: UInt16(port), containerPort: 80, hostAddress: IPv4Address("127.0.0.1"))])
        #expect(try fetch("http://127.0.0.1:\(port)/index.html") == "served-from-the-container\n")
        let inspect = try hoist("network", "inspect", "bridge")
        #expect(inspect.text.contains("\"web\"") && inspect.text.contains("80/tcp -> 127.0.0.1:\(port)"), "\(inspect.text)")

        #expect(try hoist("rm", "-f", "web").status == 0)
        HostNetworkState.capture(after: attachment).expectSame(as: before, about: attachment)
        #expect(try fetch("http://127.0.0.1:\(port)/index.html", attempts: 1) == nil)
    }

    @Test func containersOnAUserNetworkReachEachOtherByName() throws {
        let network = "net-" + UUID().uuidString.prefix(6).lowercased()
        let third = Int.random(in: 200..<250)
        let created = try hoist("network", "create", "--subnet", "10.214.\(third).0/24", network)
        #expect(created.status == 0, "\(created.errorText)")
        defer { _ = try? hoist("network", "rm", network) }
        let listed = try hoist("network", "ls")
        #expect(listed.text.contains("bridge") && listed.text.contains(network), "\(listed.text)")

        let server = try hoist(
            "run", "-d", "--name", "api", "--network", network, "--network-alias", "backend", "--ip", "10.214.\(third).50", "busybox", "sh", "-c",
            "mkdir -p /www && echo hello-by-name > /www/index.html && exec httpd -f -p 8080 -h /www")
        #expect(server.status == 0, "\(server.errorText)")
        defer { _ = try? hoist("rm", "-f", "api") }
        let client = try hoist(
            "run", "--rm", "--network", network, "--add-host", "extra.test:192.0.2.7", "--dns", "192.0.2.53", "--dns-search", "corp.test",
            "busybox", "sh", "-c",
            "for i in $(seq 1 50); do timeout 2 wget -q -O - http://api:8080/ && break; sleep 0.1; done; timeout 2 wget -q -O - http://backend:8080/; grep -E 'extra.test|api' /etc/hosts; grep -E '^(nameserver|search)' /etc/resolv.conf")
        #expect(client.status == 0, "\(client.errorText)")
        #expect(
            client.text == "hello-by-name\nhello-by-name\n192.0.2.7\textra.test\n10.214.\(third).50\tapi backend\nnameserver 192.0.2.53\nsearch corp.test\n",
            "\(client.text)")

        let refused = try hoist("network", "rm", network)
        #expect(refused.status != 0 && refused.errorText.contains("active endpoints"), "\(refused.errorText)")
        #expect(try hoist("rm", "-f", "api").status == 0)
        #expect(try hoist("network", "rm", network).status == 0)
        #expect(!(try hoist("network", "ls").text.contains(network)))
    }

    /// The container's monitor killed with SIGKILL, then the container's own process: the next
    /// command tears its network down; `rm` of a container whose monitor died does too.
    @Test func killedMonitorsLeaveNothingBehind() throws {
        let before = HostNetworkState.capture()
        let port = try FreePort.next()
        let sleeper = "\(Int.random(in: 100_000..<999_999))"
        let started = try hoist("run", "-d", "--name", "orphan", "-p", "127.0.0.1:\(port):80", "busybox", "sleep", sleeper)
        #expect(started.status == 0, "\(started.errorText)")
        let id = started.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let attachment = try #require(ContainerNetworking().attachments().first { $0.id == "hoist-" + id })
        let monitor = try ExternalCommand.run(["pgrep", "-f", "hoist-monitor.*hoist-c-\(id)"]).text
        let monitorPID = try #require(Int32(monitor.split(separator: "\n").first ?? ""), "no monitor: \(monitor)")
        kill(monitorPID, SIGKILL)
        // The container's process ends too, with nothing of Hoist's watching.
        _ = try ExternalCommand.run(["pkill", "-KILL", "-f", "^sleep \(sleeper)$"])
        for _ in 0..<100 where NetworkNamespace.isInUse(attachment.namespace) { usleep(50_000) }
        #expect(try hoist("network", "prune", "-f").status == 0)
        HostNetworkState.capture(after: attachment).expectSame(as: before, about: attachment)
        #expect(try hoist("rm", "-f", "orphan").status == 0)

        // A foreground `hoist run` killed with SIGKILL while its container runs.
        let marker = "\(Int.random(in: 100_000..<999_999))"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Interop.hoistExecutable)
        process.arguments = ["run", "--rm", "-p", "127.0.0.1:\(try FreePort.next()):80", "busybox", "sleep", marker]
        process.environment = ProcessInfo.processInfo.environment.merging(["HOIST_ROOT": store.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let known = attachmentIDs()
        try process.run()
        var attached: NetworkAttachment?
        for _ in 0..<200 {
            attached = ContainerNetworking().attachments().first { !known.contains($0.id) && $0.result != nil && !$0.pooled }
            if attached != nil, try ExternalCommand.run(["pgrep", "-f", "^sleep \(marker)$"]).status == 0 { break }
            usleep(50_000)
        }
        let orphaned = try #require(attached, "the run never attached")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        _ = try ExternalCommand.run(["pkill", "-KILL", "-f", "^sleep \(marker)$"])
        for _ in 0..<100 where NetworkNamespace.isInUse(orphaned.namespace) { usleep(50_000) }
        // Any command that touches networks sweeps first.
        #expect(try hoist("run", "--rm", "--network", "none", "busybox", "true").status == 0)
        #expect(try hoist("network", "ls").status == 0)
        _ = try hoist("network", "prune")
        HostNetworkState.capture(after: orphaned).expectSame(as: before, about: orphaned)
    }

    /// Issue 15's attack on RUN steps, failing: a step sees only its own `lo` and bridge
    /// interface, cannot read a loopback-only service of the host nor take a host port, and
    /// cannot change /etc/hosts; it still reaches the host side of its bridge (outbound). The
    /// same Dockerfile with `--network=host` shows each probe can tell the difference.
    @Test func runStepsGetANamespaceOfTheirOwn() throws {
        // The default bridge exists once something has used it.
        #expect(try hoist("run", "--rm", "busybox", "true").status == 0)
        let gateway = try NetworkDefinition.defaultNetwork().gateway.description
        let served = directory.appending("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try Data("secret-of-the-host\n".utf8).write(to: served.appendingPathComponent("index.html"))
        let loopbackPort = try FreePort.next()
        let loopback = try ServerProcess(
            name: "loopback-only http", arguments: ["python3", "-m", "http.server", "\(loopbackPort)", "--bind", "127.0.0.1", "--directory", served.path],
            port: loopbackPort, logFile: directory.appending("loopback.log"))
        defer { loopback.stop() }
        let bridgePort = try FreePort.next()
        let bridge = try ServerProcess(
            name: "http on the bridge", arguments: ["python3", "-m", "http.server", "\(bridgePort)", "--bind", gateway, "--directory", served.path],
            port: bridgePort, host: gateway, logFile: directory.appending("bridge.log"))
        defer { bridge.stop() }

        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("""
            FROM busybox
            RUN echo "interfaces: $(ls /sys/class/net | tr '\\n' ' ')" \\
             && (timeout 2 wget -q -O - http://127.0.0.1:\(loopbackPort)/ >/dev/null 2>&1 && echo "loopback: reached" || echo "loopback: refused") \\
             && (nc -l -p \(loopbackPort) >/dev/null 2>&1 & p=$!; sleep 0.5; kill -0 $p 2>/dev/null && echo "bind: own port" && kill $p || echo "bind: host's port taken") \\
             && (echo x >> /etc/hosts 2>/dev/null && echo "hosts: written" || echo "hosts: read-only") \\
             && (timeout 5 wget -q -O - http://\(gateway):\(bridgePort)/ >/dev/null && echo "outbound: reached" || echo "outbound: failed")
            """.utf8).write(to: context.appendingPathComponent("Dockerfile"))

        let own = try hoist("build", "--progress", "plain", "--no-cache", "-t", "probe", context.path)
        #expect(own.status == 0, "\(own.errorText)")
        let log = own.errorText + own.text
        #expect(log.contains("interfaces: eth0 lo \n") || log.contains("interfaces: eth0 lo"), "\(log)")
        #expect(!log.contains("interfaces: eth0 lo ifb") && !log.contains(" ifb0"), "\(log)")
        #expect(log.contains("loopback: refused") && log.contains("bind: own port") && log.contains("hosts: read-only"), "\(log)")
        #expect(log.contains("outbound: reached"), "\(log)")

        let host = try hoist("build", "--progress", "plain", "--no-cache", "--network", "host", "-t", "probe-host", context.path)
        let hostLog = host.errorText + host.text
        #expect(host.status == 0, "\(host.errorText)")
        #expect(hostLog.contains("loopback: reached") && hostLog.contains("bind: host's port taken"), "\(hostLog)")
        #expect(!hostLog.contains("interfaces: eth0 lo \n"), "the host has more interfaces than a sandbox: \(hostLog)")
    }

    /// The Swift API: `-P` (`.publishAllExposedPorts`) on a kept container, the host port it got
    /// read back from `inspect()`, called, and cleaned up. (`.publish(8080, to: 80)` is the CLI
    /// tests' `-p`, through the same options.)
    @Test func theSwiftAPIPublishesAPort() async throws {
        let client = try Client(root: StoreRoot(store))
        let container = client.image("busybox").instantiate(
            .publishAllExposedPorts, .shell("mkdir -p /www && echo via-the-api > /www/index.html && exec httpd -f -p 80 -h /www"))
        try await container.start()
        let summary = try await container.inspect()
        // The image EXPOSEs 80/tcp: -P published it on a free host port.
        #expect(summary.ports.map(\.containerPort) == [80])
        let port = try #require(summary.ports.first?.hostPort, "no published port in \(summary)")
        #expect(summary.networkAddress.map { try! NetworkDefinition.defaultNetwork().subnet.contains($0) } == true)
        let body = try fetch("http://127.0.0.1:\(port)/index.html")
        let attachment = ContainerNetworking().attachments().first { $0.id == "hoist-" + (container.id ?? "") }
        try await container.remove(force: true)
        #expect(body == "via-the-api\n")
        let left = try #require(attachment)
        #expect(ContainerNetworking().attachment(left.id) == nil && !FileManager.default.fileExists(atPath: left.namespace))
    }

    @Test func runNetworkHostNeedsTheEntitlement() throws {
        let context = directory.appending("entitled")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM busybox\nRUN --network=host ls /sys/class/net > /ifaces\nRUN --network=none ls /sys/class/net > /none\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        let refused = try hoist("build", "-t", "entitled", context.path)
        #expect(refused.status != 0 && refused.errorText.contains("--allow network.host"), "\(refused.errorText)")
        let allowed = try hoist("build", "--allow", "network.host", "-t", "entitled", context.path)
        #expect(allowed.status == 0, "\(allowed.errorText)")
        let interfaces = try hoist("run", "--rm", "entitled", "sh", "-c", "cat /ifaces | wc -l; cat /none")
        let lines = interfaces.text.split(separator: "\n")
        #expect((Int(lines.first ?? "") ?? 0) > 2 && lines.dropFirst() == ["lo"], "\(interfaces.text)")
    }
}

/// What of the host's network a test compares before and after: links, namespace mounts,
/// iptables rules.
struct HostNetworkState {
    var links: Set<String>
    var mounts: Set<String>
    var rules: Set<String>

    /// The state once `attachment`'s record is gone (bounded: 20 s), as another process's sweep
    /// may have claimed it and be running its DEL right now.
    static func capture(after attachment: NetworkAttachment) -> HostNetworkState {
        for _ in 0..<200 where ContainerNetworking().attachment(attachment.id) != nil { usleep(100_000) }
        return capture()
    }

    static func capture() -> HostNetworkState {
        func lines(_ arguments: [String]) -> Set<String> {
            Set(((try? ExternalCommand.run(arguments).text) ?? "").split(separator: "\n").map(String.init))
        }
        let links = lines(["ip", "-o", "link", "show"]).map { line in
            // Counters and states vary; the name and its peer are what matter.
            String(line.split(separator: ":").dropFirst().first ?? "").trimmingCharacters(in: .whitespaces)
        }
        let mounts = (ProcFile.read("/proc/self/mountinfo") ?? "").split(separator: "\n").filter { $0.contains("nsfs") }
            .map { String($0.split(separator: " ")[4]) }
        let rules = lines(["iptables-save"]).filter { !$0.hasPrefix("#") && !$0.hasPrefix(":") }
        return HostNetworkState(links: Set(links), mounts: Set(mounts), rules: rules)
    }

    /// Expects nothing of `attachment` to remain, and no link, namespace or rule that was not
    /// there before to name it (others' work running at the same time is told apart by name).
    func expectSame(as before: HostNetworkState, about attachment: NetworkAttachment, sourceLocation: SourceLocation = #_sourceLocation) {
        let address = attachment.address?.description ?? "none"
        let newRules = rules.subtracting(before.rules).filter { $0.contains(attachment.id) || $0.contains(address + "/") || $0.contains(address + ":") }
        #expect(newRules.isEmpty, "iptables rules left: \(newRules)", sourceLocation: sourceLocation)
        #expect(!mounts.contains(attachment.namespace), "namespace still mounted: \(attachment.namespace)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: attachment.namespace), sourceLocation: sourceLocation)
        let record = ContainerNetworking().attachments().contains { $0.id == attachment.id }
        #expect(!record, "attachment record left", sourceLocation: sourceLocation)
        let veth = attachment.result?.objectValue?["interfaces"]?.arrayValue?.compactMap { $0.objectValue }
            .first { $0["sandbox"] == nil && $0["name"]?.stringValue?.hasPrefix("veth") == true }?["name"]?.stringValue
        if let veth {
            #expect(!links.contains { $0.hasPrefix(veth + "@") || $0 == veth }, "veth \(veth) left", sourceLocation: sourceLocation)
        }
    }
}
