#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Hoist
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// Issue 15, items 5 and 11: `hoist` processes racing on one store. A failing load must not
/// take blobs a concurrent load named; identical builds must share their steps.
@Suite("Adversarial: racing processes on one store", .serialized)
struct AdversarialConcurrencyTests {
    // MARK: Item 5: a failing load beside good ones

    /// The lease rule itself: a blob one operation added is not removed by its failure cleanup
    /// while another operation holds it (having found it present); once none does, it is.
    @Test func failureCleanupLeavesWhatAnotherLeaseHolds() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(root: StoreRoot(directory.appending("store")))
        let bytes = Data("shared by two loads".utf8)
        let failing = store.lease("failing load")
        let digest = try Lease.$current.withValue(failing) { try store.content.write(bytes).digest }
        try store.withLease("good load") { good in
            // Found present: held before it was looked for.
            #expect(try store.content.write(bytes).digest == digest)
            try store.removeUnheld([digest], apartFrom: failing)
            #expect(try store.content.contains(digest), "the failing operation's cleanup removed a blob another one holds")
        }
        try store.removeUnheld([digest], apartFrom: failing)
        #expect(try !store.content.contains(digest), "nothing holds the blob any more, yet it stayed")
        failing.release()
    }

    @Test(.enabled(if: Interop.isRoot && (Interop.available("runc") || Interop.available("crun"))))
    func concurrentLoadsWithOneFailingLeaveUsableImages() throws {
        let directory = try TemporaryDirectory()
        let store = try AdversarialRecoveryTests.busyboxStore(directory)
        let good = directory.appending("good.tar")
        try Interop.hoist(["save", "-o", good.path, "busybox"], root: store).checkedStatus()
        let bad = try Self.archiveMissingALayer(from: good, in: directory)
        var usable = 0
        let trials = 10
        for trial in 0..<trials {
            // The blobs are gone before each trial, so that the failing load adds them.
            try Interop.hoist(["rmi", "busybox"], root: store).checkedStatus()
            try Interop.hoist(["prune", "-f"], root: store).checkedStatus()
            let failing = try Interop.launchHoist(["load", "-q", "-i", bad.path], root: store)
            let loads = try (0..<9).map { _ in try Interop.launchHoist(["load", "-q", "-i", good.path], root: store) }
            failing.waitUntilExit()
            #expect(failing.terminationStatus != 0, "the archive missing a layer loaded")
            for load in loads {
                load.waitUntilExit()
                #expect(load.terminationStatus == 0)
            }
            let saved = try Interop.hoist(["save", "-o", directory.appending("saved\(trial).tar").path, "busybox"], root: store)
            let ran = try Interop.hoist(["run", "--rm", "busybox", "echo", "usable"], root: store)
            if saved.status == 0 && ran.text == "usable\n" {
                usable += 1
            } else {
                Issue.record("trial \(trial): save: \(saved.errorText) run: \(ran.text) \(ran.errorText)")
            }
        }
        #expect(usable == trials, "\(usable) of \(trials) trials left a usable image")
    }

    /// `good` with one more layer in manifest.json than it holds: read to its end (every blob
    /// written), then refused.
    static func archiveMissingALayer(from good: URL, in directory: TemporaryDirectory) throws -> URL {
        let unpacked = directory.appending("unpacked")
        try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
        try ExternalCommand.checked(["tar", "-xf", good.path, "-C", unpacked.path])
        let manifestURL = unpacked.appendingPathComponent("manifest.json")
        var entries = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [[String: Any]])
        var layers = try #require(entries[0]["Layers"] as? [String])
        layers.append("missing/layer.tar")
        entries[0]["Layers"] = layers
        try JSONSerialization.data(withJSONObject: entries).write(to: manifestURL)
        let bad = directory.appending("bad.tar")
        try ExternalCommand.checked(["tar", "-cf", bad.path, "-C", unpacked.path, "."])
        return bad
    }

    // MARK: Item 11: identical concurrent builds

    @Test(.enabled(if: Interop.isRoot && (Interop.available("runc") || Interop.available("crun"))))
    func identicalConcurrentBuildsSucceedAndRunEachStepOnce() throws {
        let directory = try TemporaryDirectory()
        let store = try AdversarialRecoveryTests.busyboxStore(directory)
        let context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("payload\n".utf8).write(to: context.appendingPathComponent("payload"))
        // Each step appends to a file in a cache mount, which outlives the steps and is not in
        // their cache keys: it counts how often each step really ran.
        let counter = "--mount=type=cache,id=run-counter,target=/counter"
        try Data("""
            FROM busybox
            COPY payload /payload
            RUN \(counter) echo first >> /counter/runs && sleep 1 && echo 1 > /first
            RUN \(counter) echo second >> /counter/runs && sleep 1 && cat /first /payload > /second
            """.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let count = 8
        let builds = try (0..<count).map { index in
            try Interop.launchHoist(["build", "-q", "-t", "same\(index)", context.path], root: store)
        }
        var succeeded = 0
        for build in builds {
            build.waitUntilExit()
            if build.terminationStatus == 0 { succeeded += 1 }
        }
        #expect(succeeded == count, "\(succeeded) of \(count) identical concurrent builds succeeded")
        let cacheDirectory = store.appendingPathComponent("cache-mounts/\(Digest(of: Data("run-counter".utf8)).encoded)")
        let runs = try String(contentsOf: cacheDirectory.appendingPathComponent("runs"), encoding: .utf8)
        #expect(runs == "first\nsecond\n", "each step should have run once; the counter says:\n\(runs)")
        // All eight are one image.
        let ids = try Set((0..<count).map { try Interop.hoist(["images", "-q", "same\($0)"], root: store).text })
        #expect(ids.count == 1, "\(ids)")
        let ran = try Interop.hoist(["run", "--rm", "same0", "cat", "/second"], root: store)
        #expect(ran.text == "1\npayload\n", "\(ran.errorText)")
    }
}
