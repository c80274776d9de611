#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Hoist
import HoistStore
import HoistTestSupport
import Testing

/// Several `hoist` processes on one store, and processes killed half-way.
@Suite("Store under concurrent and interrupted processes", .serialized)
struct ConcurrentStoreTests {
    @Test func concurrentImportsAndCollectionAllSucceed() async throws {
        let directory = try TemporaryDirectory()
        let store = directory.appending("store")
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        let count = 6
        let processes = try (0..<count).map { index in
            try Interop.launchHoist(["import", "--change", "LABEL n=\(index)", rootfs.path, "concurrent\(index)"], root: store)
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let client = try Client(root: StoreRoot(store))
        #expect(try await client.images().count == count)
        try client.store.collectGarbage()
        for image in try await client.images() {
            let details = try client.inspect(image.id.description)
            try client.store.content.verify(details.id)
            for layer in details.layers { try client.store.content.verify(try layer.digest) }
        }
    }

    @Test func killedImportsLeaveAValidStore() async throws {
        let directory = try TemporaryDirectory()
        let store = directory.appending("store")
        // A large tar so that the kill lands while blobs are being written.
        let tree = directory.appending("tree")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        for index in 0..<40 {
            try Data(repeating: UInt8(index), count: 2 << 20).write(to: tree.appendingPathComponent("file\(index)"))
        }
        let rootfs = directory.appending("big.tar")
        try ExternalCommand.checked(["tar", "-cf", rootfs.path, "-C", tree.path, "."])
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<8 {
            let process = try Interop.launchHoist(["import", rootfs.path, "killed\(trial)"], root: store)
            usleep(UInt32.random(in: 5_000...150_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let client = try Client(root: StoreRoot(store))
        // Every blob that exists verifies; every name that exists resolves completely.
        for blob in try client.store.content.all() { try client.store.content.verify(blob.digest) }
        for image in try await client.images() {
            let details = try client.inspect(image.reference?.description ?? image.id.description)
            for layer in details.layers { #expect(try client.store.content.contains(try layer.digest)) }
        }
        // The next import succeeds, and collection clears what the killed ones left.
        try client.importImage(rootfs: rootfs, as: "after")
        try client.store.collectGarbage()
        // Only this process's own work directory may be there.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("tmp").path)
            .filter { $0 != ProcessIdentity.current.tag }
        #expect(leftovers.isEmpty, "ingest files left after collection: \(leftovers)")
        #expect(try client.inspect("after").layers.count == 1)
    }

    @Test(.enabled(if: Interop.isRoot && Interop.available("runc")))
    func killedBuildsLeaveAValidStoreAndTheNextBuildSucceeds() async throws {
        let directory = try TemporaryDirectory()
        let store = directory.appending("store")
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        try Interop.hoist(["import", "--change", "CMD [\"sh\"]", rootfs.path, "busybox"], root: store).checkedStatus()
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<10 {
            // Each trial changes the context so the build has real work to interrupt.
            try Data(repeating: UInt8(trial), count: 4 << 20).write(to: context.appendingPathComponent("payload"))
            try Data("""
                FROM busybox
                COPY payload /payload
                RUN cp /payload /copy && sleep 0.1 && echo \(trial) > /trial
                RUN cat /trial
                """.utf8).write(to: context.appendingPathComponent("Dockerfile"))
            let process = try Interop.launchHoist(["build", "--progress=plain", "-t", "killed\(trial)", context.path], root: store)
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let client = try Client(root: StoreRoot(store))
        for blob in try client.store.content.all() { try client.store.content.verify(blob.digest) }
        for image in try await client.images() {
            let details = try client.inspect(image.reference?.description ?? image.id.description)
            for layer in details.layers { #expect(try client.store.content.contains(try layer.digest)) }
        }
        let after = try Interop.hoist(["build", "--progress=plain", "-t", "after", context.path], root: store)
        #expect(after.status == 0, "the build after the kills failed: \(after.errorText)")
        #expect(try client.inspect("after").layers.count == 4, "base, COPY and both RUNs (the second's layer is empty)")
        // Collection clears what the killed builds left mounted and half-made.
        try client.store.collectGarbage()
        let mounts = ProcFile.read("/proc/self/mountinfo") ?? ""
        #expect(!mounts.contains(store.path), "mounts left under the store after collection")
        #expect(try client.store.snapshotter().list().allSatisfy { $0.kind == .committed })
        #expect(try client.inspect("after").layers.count == 4)
    }
}
