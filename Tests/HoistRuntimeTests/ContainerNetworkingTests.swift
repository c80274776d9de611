#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistOCI
@testable import HoistRuntime
import HoistStore
import HoistTestSupport
import Testing

/// Networks with Debian's real CNI plugins: a namespace attached to a bridge the test makes (its
/// own subnet), a container in it, and what is left on the host afterwards. Traffic goes only
/// between the test's namespace and the host's own addresses (loopback, the test bridge's).
@Suite(
    "Container networking with CNI", .serialized,
    .enabled(if: canRunContainers && Interop.available("iptables-save") && Interop.available("python3")))
struct ContainerNetworkingTests {
    let fixture: ContainerFixture
    let catalog: NetworkCatalog
    let network: NetworkDefinition

    init() throws {
        fixture = try ContainerFixture(try OCIRuntime.runc())
        catalog = NetworkCatalog(store: StoreRoot(fixture.directory.appending("store")))
        network = try catalog.create("cni-test-" + ContainerNetworking.randomID().prefix(6))
    }

    /// A container on the network sees its own `lo` and `eth0` only, reaches a server on the
    /// bridge's address (the host side) but not one on the host's loopback; after detach, no
    /// namespace, veth, address lease or iptables rule of it is left.
    @Test func aContainerSeesItsOwnInterfacesOnlyAndNothingIsLeftAfterDetach() async throws {
        let networking = catalog.networking
        let id = "hoist-test-" + ContainerNetworking.randomID()
        let attachment = try await networking.attach(network, .init(id: id, names: ["web"], hostname: "web"))
        do {
            let address = try #require(attachment.address)
            #expect(network.subnet.contains(address) && address != network.gateway)
            #expect(try Self.hostRules().contains { $0.contains(id) }, "the plugins' rules name the attachment")

            let served = fixture.directory.appending("served")
            try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
            try Data("from the bridge side\n".utf8).write(to: served.appendingPathComponent("hello"))
            let bridgePort = try FreePort.next()
            let bridgeServer = try ServerProcess(
                name: "http on the bridge",
                arguments: ["python3", "-m", "http.server", "\(bridgePort)", "--bind", network.gateway.description, "--directory", served.path],
                port: bridgePort, host: network.gateway.description, logFile: fixture.directory.appending("bridge.log"))
            defer { bridgeServer.stop() }
            let loopbackPort = try FreePort.next()
            let loopbackServer = try ServerProcess(
                name: "http on loopback",
                arguments: ["python3", "-m", "http.server", "\(loopbackPort)", "--bind", "127.0.0.1", "--directory", served.path],
                port: loopbackPort, logFile: fixture.directory.appending("loopback.log"))
            defer { loopbackServer.stop() }

            let run = try await fixture.run(shell("""
                ls /sys/class/net | tr '\\n' ' '; echo
                ip -4 -o addr show eth0 | awk '{print $4}'
                timeout 5 wget -q -O - http://\(network.gateway):\(bridgePort)/hello
                timeout 2 wget -q -O - http://127.0.0.1:\(loopbackPort)/hello && echo reached-host-loopback || echo loopback-is-its-own
                grep -c web /etc/hosts
                """) {
                $0.network = .namespace(attachment.namespace)
                $0.mounts = [.bind(source: attachment.hostsFile, destination: "/etc/hosts", readOnly: false)]
            })
            let lines = run.output.split(separator: "\n").map(String.init)
            #expect(run.code == 0, "\(run.output) \(run.error)")
            #expect(lines.first == "eth0 lo ", "\(run.output)")
            #expect(lines.dropFirst().first == "\(address)/\(network.subnet.prefixLength)")
            #expect(lines.contains("from the bridge side"), "\(run.output) \(run.error) \(bridgeServer.log)")
            #expect(lines.contains("loopback-is-its-own") && !lines.contains("reached-host-loopback"))
            #expect(lines.last == "1", "its own name in its /etc/hosts: \(run.output)")
        } catch {
            await networking.detach(id)
            try? await catalog.remove(network.name)
            throw error
        }
        await networking.detach(id)
        try expectNothingLeft(of: attachment)
        try await catalog.remove(network.name)
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(network.bridge)"), "the bridge is removed with its network")
    }

    /// Members of a user network find each other by name in /etc/hosts, kept up to date as they
    /// come and go.
    @Test func membersFindEachOtherByName() async throws {
        let networking = catalog.networking
        let first = try await networking.attach(network, .init(id: "hoist-test-" + ContainerNetworking.randomID(), names: ["db"], hostname: "db1"))
        let second = try await networking.attach(
            network, .init(id: "hoist-test-" + ContainerNetworking.randomID(), names: ["app", "api"], hostname: "app1"))
        let firstHosts = try String(contentsOfFile: first.hostsFile, encoding: .utf8)
        let secondHosts = try String(contentsOfFile: second.hostsFile, encoding: .utf8)
        await networking.detach(second.id)
        let afterLeaving = try String(contentsOfFile: first.hostsFile, encoding: .utf8)
        await networking.detach(first.id)
        try await catalog.remove(network.name)

        let firstAddress = try #require(first.address), secondAddress = try #require(second.address)
        #expect(firstHosts.contains("\(secondAddress)\tapp api\n") && firstHosts.hasSuffix("\(firstAddress)\tdb1 db\n"), "\(firstHosts)")
        #expect(secondHosts.contains("\(firstAddress)\tdb\n") && secondHosts.hasSuffix("\(secondAddress)\tapp1 app api\n"), "\(secondHosts)")
        #expect(!afterLeaving.contains("app"), "\(afterLeaving)")
    }

    /// What a killed process left (its record names an owner that is gone, no process is in the
    /// namespace) is torn down by the next sweep; one whose owner lives is not.
    @Test func aSweepTearsDownWhatADeadOwnerLeft() async throws {
        let networking = catalog.networking
        let alive = try await networking.attach(network, .init(id: "hoist-test-" + ContainerNetworking.randomID(), hostname: "a"))
        let orphan = try await networking.attach(network, .init(id: "hoist-test-" + ContainerNetworking.randomID(), hostname: "b"))
        // The owner becomes a process that has ended: this one, at a start time it never had.
        var owner = try #require(networking.owner(of: orphan.id))
        owner.startTime += 1
        try Data("\(owner.pid) \(owner.startTime) \(owner.bootID)\n".utf8)
            .write(to: URL(fileURLWithPath: networking.leasesDirectory + "/" + orphan.id))

        await networking.sweep()
        // Another process's sweep (tests run in parallel) may have claimed it first and be
        // running its DEL: its record goes when that is done.
        for _ in 0..<200 where networking.attachment(orphan.id) != nil { try await Task.sleep(for: .milliseconds(100)) }
        let aliveKept = networking.attachment(alive.id) != nil
        await networking.detach(alive.id)
        try await catalog.remove(network.name)
        #expect(aliveKept, "an attachment whose owner lives is kept")
        try expectNothingLeft(of: orphan)
        try expectNothingLeft(of: alive)
    }

    /// Checks the host for anything of `attachment`: its namespace mount and file, a veth on the
    /// bridge, an address lease, an iptables rule naming it or its address, its record.
    func expectNothingLeft(of attachment: NetworkAttachment, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let mounts = ProcFile.read("/proc/self/mountinfo") ?? ""
        #expect(!mounts.contains(attachment.namespace), "namespace still mounted", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: attachment.namespace), sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: attachment.hostsFile), sourceLocation: sourceLocation)
        let links = try ExternalCommand.run(["ip", "-o", "link", "show", "master", network.bridge]).text
        #expect(links.isEmpty, "veths left on \(network.bridge): \(links)", sourceLocation: sourceLocation)
        if let address = attachment.address {
            let lease = catalog.networking.ipamDirectory + "/" + network.cniName + "/" + address.description
            #expect(!FileManager.default.fileExists(atPath: lease), "address lease left", sourceLocation: sourceLocation)
            let rules = try Self.hostRules().filter { $0.contains(attachment.id) || $0.contains(address.description + "/") || $0.contains(address.description + " ") }
            #expect(rules.isEmpty, "iptables rules left: \(rules)", sourceLocation: sourceLocation)
        }
    }

    /// Every iptables rule of the host, filter and nat tables.
    static func hostRules() throws -> [String] {
        try ExternalCommand.checked(["iptables-save"]).text.split(separator: "\n").map(String.init)
    }
}
