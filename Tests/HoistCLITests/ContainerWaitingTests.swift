import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Hoist
import HoistTestSupport
import Testing

/// The Swift API's wait strategies and streamed output (issue 24) with real runc and, for ports,
/// the real CNI plugins; and the README's example, run here as it is written there.
@Suite(
    "Container API: waiting and streaming", .serialized,
    .enabled(if: Interop.isRoot && Interop.available("runc") && Interop.available("iptables-save")))
struct ContainerWaitingTests {
    let fixture: BusyboxFixture
    var client: Client { fixture.client }

    init() throws {
        fixture = try BusyboxFixture()
    }

    @Test func theReadmeExamplePublishesWaitsCallsAndCleansUp() async throws {
        // README: begin
        let web = client.image("busybox").instantiate(
            .publish(0, to: 80), .shell("echo hello from busybox > /index.html && exec httpd -f -p 80 -h /"))
        try await web.start()
        try await web.waitUntil(.http(path: "/index.html", port: 80), timeout: .seconds(30))
        let port = try await web.inspect().ports.first { $0.containerPort == 80 }!.hostPort
        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/index.html")!)
        print(String(decoding: body, as: UTF8.self))  // hello from busybox
        try await web.remove(force: true)
        // README: end
        #expect(String(decoding: body, as: UTF8.self) == "hello from busybox\n")
        #expect(try await client.native.containers().isEmpty)
        let example = try ReadmeExample.check(#filePath)
        #expect(example.shown, "README.md lacks the example as this test runs it:\n\(example.code)")
    }

    @Test func waitsForALogLineAPortAndAnExit() async throws {
        let server = client.image("busybox").instantiate(
            .publish(0, to: 8080), .shell("sleep 0.5; echo listening soon; exec httpd -f -p 8080 -h /"))
        try await server.start()
        try await server.waitUntil(.logLine("listening soon"), timeout: .seconds(30))
        try await server.waitUntil(.tcpPort(8080), timeout: .seconds(30))
        try await server.remove(force: true)

        let ending = client.image("busybox").instantiate(.shell("sleep 0.3; exit 4"))
        try await ending.start()
        try await ending.waitUntil(.exit, timeout: .seconds(30))
        #expect(try await ending.wait() == 4)
        try await ending.remove()
    }

    @Test func aContainerThatEndsFirstOrNeverGetsReadyIsAnError() async throws {
        let ends = client.image("busybox").instantiate(.shell("echo about to fail >&2; exit 2"))
        try await ends.start()
        do {
            try await ends.waitUntil(.logLine("never said"), timeout: .seconds(30))
            Issue.record("waiting for a line a container never writes succeeded")
        } catch let error as ContainerError {
            #expect(error.code == .unavailable && error.message.contains("exit 2") && error.message.contains("about to fail"), "\(error)")
        }
        try await ends.remove()

        let silent = client.image("busybox").instantiate(.shell("exec sleep 30"))
        try await silent.start()
        do {
            try await silent.waitUntil(.logLine("never said"), timeout: .milliseconds(500))
            Issue.record("the timeout did not end the wait")
        } catch let error as ContainerError {
            #expect(error.code == .cancelled, "\(error)")
        }
        try await silent.remove(force: true)
    }

    @Test func outputIsStreamedInArrivalOrderWithoutKeepingIt() async throws {
        var events: [ContainerOutputEvent] = []
        for try await event in client.image("busybox").instantiate(.shell("echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; exit 5")).stream() {
            events.append(event)
        }
        #expect(events == [
            .standardOutput(Data("one\n".utf8)), .standardError(Data("two\n".utf8)), .standardOutput(Data("three\n".utf8)), .exit(5),
        ])
        // 64 MiB counted as it comes, never held whole.
        var bytes = 0
        var largest = 0
        for try await event in client.image("busybox").instantiate(.shell("head -c 67108864 /dev/zero")).stream() {
            if case .standardOutput(let data) = event {
                bytes += data.count
                largest = max(largest, data.count)
            }
        }
        #expect(bytes == 67_108_864)
        #expect(largest < 4 * 1024 * 1024, "a chunk of \(largest) bytes")
    }
}
