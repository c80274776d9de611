import Foundation
import Glibc
import HoistOCI
import Synchronization
import Testing

@testable import HoistArchive

/// Copies into and out of a tree that another thread keeps changing under them — the way a
/// running container changes its own root file system while `hoist cp` works on it. The other
/// thread swaps a directory for a symlink to a directory outside the root and back, as fast as
/// it can; not one copy may write outside the root or read from outside it.
@Suite struct RootDirectoryRaceTests {
    final class Swapper: Sendable {
        let stop = Atomic<Bool>(false)
        let swaps = Atomic<Int>(0)

        /// Alternates `root/d` between a directory holding `x` ("inside") and a symlink to
        /// `target`, by renames (each swap takes microseconds), until stopped.
        func run(root: String, target: String) {
            let directory = root + "/dirA"
            let link = root + "/linkB"
            let path = root + "/d"
            mkdir(directory, 0o755)
            let fd = open(directory + "/x", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = "inside".withCString { write(fd, $0, 6) }
            close(fd)
            symlink(target, link)
            rename(directory, path)
            while !stop.load(ordering: .relaxed) {
                rename(path, directory)
                rename(link, path)
                rename(path, link)
                rename(directory, path)
                swaps.add(1, ordering: .relaxed)
            }
        }
    }

    /// Runs `attempt` while the tree changes, until it has been tried 20,000 times and the tree
    /// swapped 1000 times (or 30 seconds pass). The path-checking code this replaced let about
    /// ten copies in 20,000 escape each way.
    private func race(root: String, target: String, _ attempt: () -> Void) -> Int {
        let swapper = Swapper()
        let thread = Thread { swapper.run(root: root, target: target) }
        thread.start()
        let deadline = Date().addingTimeInterval(30)
        var attempts = 0
        while (attempts < 20000 || swapper.swaps.load(ordering: .relaxed) < 1000) && Date() < deadline {
            attempt()
            attempts += 1
        }
        swapper.stop.store(true, ordering: .relaxed)
        while !thread.isFinished { usleep(1000) }
        return swapper.swaps.load(ordering: .relaxed)
    }

    @Test func copiesIntoAChangingTreeNeverLandOutsideIt() async throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let outside = try tmp.directory("outside")
        let archive = try makeTar([file("dropped", "payload")])
        var landed = 0
        let swaps = race(root: root, target: outside) {
            // Each copy goes into `d` as the root sees it: a directory, or (through the
            // symlink, resolved inside the root) a path that does not exist there.
            if (try? LayerApplier(root: root, directory: "/d").apply(MemoryByteSource(archive))) != nil { landed += 1 }
        }
        #expect(try FileSystem.list(outside) == [], "a copy escaped the root in \(swaps) swaps")
        #expect(swaps >= 1000, "the tree hardly changed; the race was not run")
        #expect(landed > 0, "no copy got in at all")
    }

    @Test func copiesOutOfAChangingTreeNeverReadOutsideIt() async throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let outside = try tmp.directory("outside")
        try Data("HOST-SECRET".utf8).write(to: URL(fileURLWithPath: outside + "/x"))
        var leaked = 0
        var read = 0
        let swaps = race(root: root, target: outside) {
            var sink = MemoryByteSink()
            guard (try? LayerDiffer().archive("/d/x", inRoot: root, as: "x", to: &sink)) != nil else { return }
            read += 1
            if String(decoding: sink.bytes, as: UTF8.self).contains("HOST-SECRET") { leaked += 1 }
        }
        #expect(leaked == 0, "\(leaked) of \(read) copies read a file outside the root")
        #expect(read > 0 && swaps >= 1000, "the race was not run: \(read) reads, \(swaps) swaps")
    }

    @Test func symlinksResolveInsideTheRoot() throws {
        let tmp = try TempDirectory()
        let root = try tmp.directory("root")
        let outside = try tmp.directory("outside")
        try FileManager.default.createDirectory(atPath: root + "/real", withIntermediateDirectories: true)
        try Data("in".utf8).write(to: URL(fileURLWithPath: root + "/real/f"))
        symlink("/real", root + "/abs")
        symlink("../../../../real", root + "/climb")
        symlink(outside, root + "/host")
        let directory = try RootDirectory(path: root)
        #expect(try directory.directory("/abs").components == ["real"])
        #expect(try directory.directory("climb").components == ["real"])
        #expect(try directory.entry("/abs/f", followFinalSymlink: true).components == ["real", "f"])
        // An absolute target names a path inside the root, which does not exist there.
        #expect(throws: ArchiveError.self) { try directory.directory("/host") }
        _ = try directory.directory("/host/new/dirs", create: true)
        #expect(try FileSystem.list(outside) == [])
        #expect(FileManager.default.fileExists(atPath: root + outside + "/new/dirs"))
    }
}
