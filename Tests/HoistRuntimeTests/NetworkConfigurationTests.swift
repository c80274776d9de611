import Foundation
import HoistOCI
@testable import HoistRuntime
import Testing

/// The parts of networking that need no host: `-p` and `--add-host` parsing, subnets, the
/// per-plugin configuration CNI's spec asks a runtime to hand over, resolv.conf and hosts text.
@Suite("Network configuration")
struct NetworkConfigurationTests {
    @Test(arguments: [
        ("8080:80", [PortMapping(hostPort: 8080, containerPort: 80)]),
        ("80", [PortMapping(hostPort: 0, containerPort: 80)]),
        ("127.0.0.1:8080:80/udp", [PortMapping(hostPort: 8080, containerPort: 80, transport: .udp, hostAddress: IPv4Address("127.0.0.1"))]),
        ("127.0.0.1::80", [PortMapping(hostPort: 0, containerPort: 80, hostAddress: IPv4Address("127.0.0.1"))]),
        ("0.0.0.0:9000:90/TCP", [PortMapping(hostPort: 9000, containerPort: 90)]),
        ("8000-8001:80-81", [PortMapping(hostPort: 8000, containerPort: 80), PortMapping(hostPort: 8001, containerPort: 81)]),
    ])
    func portMappingsAreParsedAsDockerReadsThem(_ text: String, _ expected: [PortMapping]) throws {
        #expect(try PortMapping.parse(text) == expected)
    }

    @Test(arguments: ["", "0:80", "80:0", "x:80", "1.2.3:80:80", "8000-8002:80-81", "70000:80", "80/icmp", "a:b:c:d", "90-80:90-80"])
    func badPortMappingsAreRefused(_ text: String) {
        let error = #expect(throws: RuntimeError.self) { try PortMapping.parse(text) }
        #expect(error?.code == .invalidArgument && error?.message.contains("\"\(text)\"") == true, "\(String(describing: error))")
    }

    @Test func subnetsParseCheckAndOverlap() throws {
        let subnet = try IPv4Subnet(parsing: "10.213.0.0/16")
        #expect(subnet.gateway == IPv4Address("10.213.0.1") && subnet.last == IPv4Address("10.213.255.255"))
        #expect(subnet.contains(IPv4Address("10.213.7.9")!) && !subnet.contains(IPv4Address("10.214.0.1")!))
        let inside = try IPv4Subnet(parsing: "10.213.4.0/24"), outside = try IPv4Subnet(parsing: "10.214.0.0/24")
        #expect(subnet.overlaps(inside) && !subnet.overlaps(outside))
        for bad in ["10.213.0.1/16", "10.0.0.0/33", "10.0.0.0", "300.0.0.0/8", "10.0.0.0/31"] {
            #expect(throws: RuntimeError.self, "\(bad)") { try IPv4Subnet(parsing: bad) }
        }
        let encoded = try JSONEncoder().encode(subnet)
        #expect(String(decoding: encoded, as: UTF8.self) == "\"10.213.0.0\\/16\"" || String(decoding: encoded, as: UTF8.self) == "\"10.213.0.0/16\"")
        #expect(try JSONDecoder().decode(IPv4Subnet.self, from: encoded) == subnet)
    }

    @Test func addHostAcceptsDockersForms() throws {
        #expect(try HostsEntry(parsingAddHost: "db:10.0.0.5") == HostsEntry(address: "10.0.0.5", names: ["db"]))
        #expect(try HostsEntry(parsingAddHost: "db=10.0.0.5") == HostsEntry(address: "10.0.0.5", names: ["db"]))
        #expect(try HostsEntry(parsingAddHost: "v6:[::1]") == HostsEntry(address: "::1", names: ["v6"]))
        for bad in ["db", ":10.0.0.5", "db:notanip", "db:host-gateway"] {
            #expect(throws: RuntimeError.self, "\(bad)") { try HostsEntry(parsingAddHost: bad) }
        }
    }

    @Test func resolvConfDropsUnreachableResolversAndAppliesOverrides() {
        let host = "# host\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n"
        #expect(NameResolution().resolvConf(from: host, hostNetwork: true) == host)
        #expect(NameResolution().resolvConf(from: host, hostNetwork: false) == "# host\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n")
        let custom = NameResolution(nameservers: ["203.0.113.1"], searchDomains: ["a.test", "b.test"], options: ["ndots:2"])
        #expect(custom.resolvConf(from: host, hostNetwork: false) == "# host\nnameserver 203.0.113.1\nsearch a.test b.test\noptions ndots:2\n")
    }

    @Test func hostsFileListsEntriesAfterDockersLines() {
        let text = HostsFile.render([HostsEntry(address: "10.0.0.5", names: ["db", "db.alias"]), HostsEntry(address: "10.0.0.6", names: [])])
        #expect(text.hasPrefix("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"))
        #expect(text.hasSuffix("ff02::2\tip6-allrouters\n10.0.0.5\tdb db.alias\n"))
    }

    /// CNI's rule for a list: name and version from the list, the previous result as
    /// `prevResult`, and only the runtime values a plugin declared in `capabilities`.
    @Test func eachPluginGetsItsPartOfTheList() throws {
        let network = NetworkDefinition(
            name: "n", id: String(repeating: "a", count: 64), subnet: try IPv4Subnet(parsing: "10.214.9.0/24"), bridge: "hoist-aaaaaaaaa")
        let list = network.cniList(ipamDirectory: "/run/x/ipam")
        #expect(list.name == "hoist-aaaaaaaaaaaa" && list.plugins.count == 3)
        let target = CNINetworkList.Target(
            containerID: "c", namespace: "/ns", runtimeConfig: ["portMappings": .array([PortMapping(hostPort: 1, containerPort: 2).runtimeConfig])])
        let previous: JSONValue = ["cniVersion": "1.0.0", "ips": .array([["address": "10.214.9.2/24"]])]

        let bridge = try #require(list.configuration(list.plugins[0], previous: nil, target: target).objectValue)
        #expect(bridge["name"] == "hoist-aaaaaaaaaaaa" && bridge["cniVersion"] == "1.0.0" && bridge["prevResult"] == nil)
        #expect(bridge["runtimeConfig"] == nil, "bridge declares no portMappings capability")
        #expect(bridge["ipam"]?.objectValue?["dataDir"] == "/run/x/ipam")

        let portmap = try #require(list.configuration(list.plugins[1], previous: previous, target: target).objectValue)
        #expect(portmap["prevResult"] == previous)
        #expect(portmap["runtimeConfig"]?.objectValue?["portMappings"]?.arrayValue?.first?.objectValue?["hostPort"] == 1)
        #expect(NetworkAttachment.address(in: previous) == IPv4Address("10.214.9.2"))
    }

    @Test func networkModesReadWhatEarlierVersionsWrote() throws {
        let decoder = JSONDecoder()
        #expect(try decoder.decode([NetworkMode].self, from: Data(#"["none","host"]"#.utf8)) == [.none, .host])
        let namespace = NetworkMode.namespace("/run/hoist/net/netns/x")
        #expect(try decoder.decode(NetworkMode.self, from: JSONEncoder().encode(namespace)) == namespace)
        let old = #"{"arguments":["sh"],"environment":[],"workingDirectory":"/","additionalGroups":[],"hostname":"h","network":"none","mounts":[],"resources":{},"capabilitiesAdded":[],"capabilitiesDropped":[],"readOnlyRootFilesystem":false}"#
        let settings = try decoder.decode(ContainerSettings.self, from: Data(old.utf8))
        #expect(settings.network == .none && settings.terminal == false && settings.nameResolution == NameResolution())
    }
}
