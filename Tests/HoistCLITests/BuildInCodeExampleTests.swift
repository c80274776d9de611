import Foundation
import HoistTestSupport
import Testing

/// `examples/build-in-code`, the build-graph API's example program, built with the package and
/// run here as a user runs it: on a fresh store, given the busybox rootfs tar.
@Suite("Example: build in code", .enabled(if: Interop.isRoot && Interop.available("runc")))
struct BuildInCodeExampleTests {
    @Test func theExampleBuildsReadsDebugsAndRunsItsImage() throws {
        let directory = try TemporaryDirectory()
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        let store = directory.appending("store")
        let first = try ExternalCommand.run(
            [Interop.builtExecutable("build-in-code"), rootfs.path], environment: ["HOIST_ROOT": store.path])
        #expect(first.status == 0, "\(first.errorText)\(first.text)")
        let lines = first.text.split(separator: "\n").map(String.init)
        for expected in [
            "imported \(rootfs.path) as busybox",
            "intermediate /src: GREETING greeting.txt made-by size",
            "intermediate /src/GREETING: HELLO FROM A BUILD WRITTEN IN SWIFT",
            "intermediate /src/GREETING bytes 0..<5: HELLO",
            "intermediate /src/size: 36 bytes",
            "debug container said: builder in /src as 0, reading: input from the program (exit 0)",
            "debug terminal sizes: 24 80, 43 132",
            "debug process after SIGTERM: exit 3",
            "result unchanged after the debug container: true",
            "run build-in-code:latest: HELLO FROM A BUILD WRITTEN IN SWIFT (exit 0)",
        ] {
            #expect(lines.contains(expected), "missing \(expected.debugDescription) in:\n\(first.text)")
        }
        #expect(lines.contains { $0.hasPrefix("exported build-in-code:latest sha256:") }, "\(first.text)")

        // Without a rootfs and without busybox it says what it needs, on one line.
        let empty = try ExternalCommand.run(
            [Interop.builtExecutable("build-in-code")], environment: ["HOIST_ROOT": directory.appending("empty").path])
        #expect(empty.status == 1)
        #expect(empty.errorText == "build-in-code: no busybox image in the store: pass a rootfs tar (scripts/make-busybox-rootfs.sh makes one)\n")
    }
}
