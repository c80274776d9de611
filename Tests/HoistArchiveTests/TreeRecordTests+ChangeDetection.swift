import Foundation
import Glibc
import HoistOCI
import Testing

@testable import HoistArchive

/// What a walk that stats each file once and lists only directories whose own stat moved could
/// miss — changes that leave a size and a modification time as they were, a file or a directory
/// swapped for another, names added behind a directory's restored times — and the record a diff
/// leaves for the next step, on the real file system.
extension TreeRecordTests {
    /// The time of `path` as `lstat` gives it, to set it back after a change.
    static func times(_ path: String) -> [timespec] {
        var status = stat()
        lstat(path, &status)
        return [status.st_atim, status.st_mtim]
    }

    @Test func aFileReplacedByRenameWithTheSameSizeAndTimeIsSeen() throws {
        let outcome = try rebuild { root in
            let path = root + "/opt/same-size"
            var times = Self.times(path)
            try writeFile(root + "/opt/.tmp", Array("54321".utf8))
            #expect(utimensat(AT_FDCWD, root + "/opt/.tmp", &times, 0) == 0)
            #expect(rename(root + "/opt/.tmp", path) == 0)
        }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names == ["opt", "opt/same-size"], "\(outcome.names)")
    }

    @Test func aSameSizeRewriteInAnUnlistedDirectoryIsSeen() throws {
        // untouched/ keeps its own times: it is not listed, its file is stat'd.
        let outcome = try rebuild { root in
            let path = root + "/untouched/big"
            var times = Self.times(path)
            try writeFile(path, Array(String(repeating: "y", count: 100_000).utf8))
            #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names == ["untouched", "untouched/big"], "\(outcome.names)")
    }

    @Test func aNameAddedBehindADirectorysRestoredTimesIsSeen() throws {
        let outcome = try rebuild { root in
            var times = Self.times(root + "/opt/dir")
            try writeFile(root + "/opt/dir/new", Array("n".utf8))
            #expect(utimensat(AT_FDCWD, root + "/opt/dir", &times, 0) == 0)
        }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names.contains("opt/dir/new"), "\(outcome.names)")
    }

    @Test func aDirectoryReplacedByAFileIsWrittenAsTheFile() throws {
        let outcome = try rebuild { root in
            try FileManager.default.removeItem(atPath: root + "/opt/dir")
            try writeFile(root + "/opt/dir", Array("now a file".utf8))
        }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names == ["opt", "opt/dir"], "\(outcome.names)")
        #expect(outcome.headers.last?.type == .regular)
    }

    @Test func aFileReplacedByADirectoryIsWrittenWithItsContents() throws {
        let outcome = try rebuild { root in
            try FileManager.default.removeItem(atPath: root + "/opt/keep")
            try FileManager.default.createDirectory(atPath: root + "/opt/keep/deeper", withIntermediateDirectories: true)
            try writeFile(root + "/opt/keep/deeper/inside", Array("i".utf8))
        }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names == ["opt", "opt/keep", "opt/keep/deeper", "opt/keep/deeper/inside"], "\(outcome.names)")
    }

    @Test func aNewHardLinkToAnUnchangedFileWritesBothNamesLinked() throws {
        let outcome = try rebuild { root in
            #expect(link(root + "/untouched/big", root + "/opt/big-link") == 0)
        }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        // The link count moved the old name's change time: it is written too, as a link.
        #expect(outcome.names == ["opt", "opt/big-link", "untouched", "untouched/big"], "\(outcome.names)")
        let types = Dictionary(uniqueKeysWithValues: outcome.headers.map { ($0.name, $0) })
        #expect(types["opt/big-link"]?.type == .regular && types["untouched/big"]?.type == .hardLink)
        #expect(types["untouched/big"]?.linkName == "opt/big-link")
    }

    @Test func aModeOnlyChangeIsWrittenWithItsMode() throws {
        let outcome = try rebuild { root in #expect(chmod(root + "/opt/dir/a", 0o600) == 0) }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names == ["opt", "opt/dir", "opt/dir/a"], "\(outcome.names)")
        #expect(outcome.headers.last?.mode == 0o600)
    }

    @Test func anXattrOnADirectoryWritesTheDirectoryAlone() throws {
        let outcome = try rebuild { root in
            #expect(FileSystem.setXattr(root + "/opt/dir", "user.hoist", Array("d".utf8)) == 0)
        }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names == ["opt", "opt/dir"], "\(outcome.names)")
        #expect(outcome.headers.last?.xattrs["user.hoist"] == Array("d".utf8))
    }

    @Test func aDeletedSubtreeIsOneWhiteout() throws {
        let outcome = try rebuild { root in try FileManager.default.removeItem(atPath: root + "/opt/dir") }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names == ["opt", "opt/.wh.dir"], "\(outcome.names)")
    }

    @Test func aDeletedSubtreeDeepInAnUnchangedDirectoryIsAWhiteoutInItsParent() throws {
        let outcome = try rebuild { root in try FileManager.default.removeItem(atPath: root + "/opt/dir/sub") }
        #expect(outcome.differences.isEmpty, "\(outcome.differences)")
        #expect(outcome.names == ["opt", "opt/dir", "opt/dir/.wh.sub"], "\(outcome.names)")
    }

    /// Steps one after another, each diffed against the record the diff before left: each
    /// layer holds that step's changes only, among them a file rewritten again at once with its
    /// size and time kept (its change time must still move).
    @Test func chainedStepsEachWriteOnlyTheirOwnChanges() throws {
        let outcomes = try rebuildChain(excluding: ["kept"], [
            { root in try writeFile(root + "/opt/new", Array("first".utf8)) },
            { root in
                var times = Self.times(root + "/opt/new")
                try writeFile(root + "/opt/new", Array("again".utf8))
                #expect(utimensat(AT_FDCWD, root + "/opt/new", &times, 0) == 0)
                try writeFile(root + "/kept/store", Array("the store's".utf8))
            },
            { _ in },
            { root in try FileManager.default.removeItem(atPath: root + "/opt") },
            { root in
                try FileManager.default.createDirectory(atPath: root + "/opt", withIntermediateDirectories: false)
                try writeFile(root + "/opt/back", Array("b".utf8))
            },
        ])
        for (index, outcome) in outcomes.enumerated() {
            #expect(outcome.differences.isEmpty, "step \(index): \(outcome.differences)")
        }
        #expect(outcomes.map(\.names) == [["opt", "opt/new"], ["opt", "opt/new"], [], [".wh.opt"], ["opt", "opt/back"]],
                "\(outcomes.map(\.names))")
    }

    /// Random changes in chains of steps, each diffed against the record the diff before left:
    /// the rebuilt tree always equals the live one, and each record a diff leaves equals a fresh
    /// record of the tree. `HOIST_TREE_RECORD_TRIALS` sets how many chains.
    @Test func randomChangesInChainedStepsRebuildTheLiveTree() throws {
        let trials = Int(ProcessInfo.processInfo.environment["HOIST_TREE_RECORD_TRIALS"] ?? "") ?? 25
        var generator = SeededGenerator(seed: 0xC4A1)
        for trial in 0..<trials {
            var operations: [String] = []
            var changes: [(String) throws -> Void] = []
            for step in 0..<4 {
                let count = Int.random(in: 0...5, using: &generator)
                var seed = SeededGenerator(seed: UInt64.random(in: 1...UInt64.max, using: &generator))
                changes.append { root in
                    for _ in 0..<count { operations.append("step \(step): " + (try Self.randomChange(in: root, using: &seed))) }
                }
            }
            let outcomes = try rebuildChain(changes)
            if let failed = outcomes.firstIndex(where: { !$0.differences.isEmpty }) {
                Issue.record("trial \(trial), step \(failed) (\(operations.joined(separator: "; "))):\n\(outcomes[failed].differences.joined(separator: "\n"))")
                return
            }
        }
    }
}
