import Foundation
import HoistArchive
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

@testable import HoistBuild

/// File steps through the native worker on real snapshots (overlay, as root), checked by
/// applying the resulting layers to a fresh directory.
@Suite("Native worker: file steps", .enabled(if: Interop.isRoot))
struct NativeWorkerFileTests {
    /// Serves one image, imported from the busybox rootfs tar as a single layer.
    struct OneImage: ImageSource {
        let config: ImageConfig
        let layers: [LayerRef]
        func resolve(_ reference: String, platform: Platform?) async throws -> (config: ImageConfig, layers: [LayerRef]) {
            guard reference == "busybox" else { throw BuildError(.notFound, "no image \(reference)") }
            return (config, layers)
        }
    }

    /// RUN is not used by these tests; any call is a test failure.
    struct NoRunner: CommandRunner {
        func run(_ command: CommandSpec, rootfs: String, output: @escaping @Sendable (ProgressEvent.Stream, [UInt8]) -> Void) async throws -> Int32 {
            Issue.record("unexpected RUN \(command.arguments)")
            return 1
        }
    }

    let directory: TemporaryDirectory
    let store: Store
    let worker: NativeWorker
    let context: URL

    init() throws {
        directory = try TemporaryDirectory()
        store = try Store(root: StoreRoot(directory.appending("store")))
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        let blob = try store.content.write(try Data(contentsOf: rootfs))
        let layer = LayerRef(diffID: blob.digest, blob: Descriptor(mediaType: .ociLayer, digest: blob.digest, size: blob.size))
        context = directory.appending("context")
        try FileManager.default.createDirectory(at: context.appendingPathComponent("src"), withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: context.appendingPathComponent("src/hello.txt"))
        try Data("ignored\n".utf8).write(to: context.appendingPathComponent("src/ignored.tmp"))
        worker = NativeWorker(
            store: store, snapshotter: try store.snapshotter(),
            images: OneImage(config: ImageConfig(platform: .host), layers: [layer]),
            pathFilter: PathFilter { patterns in { path in patterns.contains { path.hasSuffix($0) } } },
            localDirectories: ["context": context.path], runner: NoRunner())
    }

    private func graph() -> Vertex {
        let base = Vertex(.source(.image(reference: "busybox", platform: nil)), name: "FROM busybox")
        let local = Vertex(.source(.local(name: "context", include: [], exclude: [".tmp"])), name: "context")
        let copy = Vertex(.file(FileOp(actions: [
            .copy(CopyAction(sourceInput: 1, sources: ["src"], destination: "/app/", owner: FileOwner(user: "daemon"))),
        ])), inputs: [base, local], name: "COPY src /app/")
        return Vertex(.file(FileOp(actions: [
            .mkdir(path: "/data", mode: 0o700, makeParents: true, owner: nil),
            .remove(path: "/etc/group", allowNotFound: false),
        ])), inputs: [copy], name: "RUN-free changes")
    }

    @Test func layersOfFileStepsApplyToTheExpectedTree() async throws {
        let cache = StoreCacheIndex(store: store)
        let result = try await Solver(worker: worker, cache: cache).solve(graph())
        let layers = try #require(result.layers)
        #expect(layers.count == 3)

        let applied = directory.appending("applied")
        try FileManager.default.createDirectory(at: applied, withIntermediateDirectories: true)
        let applier = try LayerApplier(root: applied.path)
        for layer in layers {
            let path = try #require(store.content.path(try layer.blob.digest))
            #expect(try applier.apply(try FileByteSource(path: path)).diffID == layer.diffID)
        }
        let tree = try FileTree(root: applied.path)
        let hello = try #require(tree.entries["app/hello.txt"])
        #expect(hello.uid == 1 && hello.gid == 1, "COPY --chown=daemon resolves in the image's /etc/passwd: \(hello)")
        #expect(tree.entries["app/ignored.tmp"] == nil, ".dockerignore'd files are not copied")
        #expect(tree.entries["data"]?.mode == 0o700)
        #expect(tree.entries["etc/group"] == nil, "the removal is a whiteout")
        #expect(tree.entries["bin/busybox"] != nil)
    }

    @Test func aRebuildIsCachedAndAContextChangeRerunsTheCopy() async throws {
        let cache = StoreCacheIndex(store: store)
        let first = try await Solver(worker: worker, cache: cache).solve(graph())
        let events = EventLog()
        let second = try await Solver(worker: worker, cache: cache, progress: events.reporter).solve(graph())
        #expect(second == first)
        #expect(events.all.filter { if case .cached = $0 { true } else { false } }.count == 2)

        // An ignored file changes nothing; a copied one changes the COPY and what follows.
        try Data("still ignored\n".utf8).write(to: context.appendingPathComponent("src/ignored.tmp"))
        #expect(try await Solver(worker: worker, cache: cache).solve(graph()) == first)
        try Data("changed\n".utf8).write(to: context.appendingPathComponent("src/hello.txt"))
        let third = try await Solver(worker: worker, cache: cache).solve(graph())
        #expect(third != first)
        #expect(third.layers?.first == first.layers?.first)
    }
}
