import Foundation
import HoistOCI
import HoistTestSupport
import Testing

@testable import HoistStore

@Suite("LocalContentStore")
struct ContentStoreTests {
    let directory: TemporaryDirectory
    let store: LocalContentStore

    init() throws {
        directory = try TemporaryDirectory()
        store = try LocalContentStore(root: StoreRoot(directory.url))
    }

    @Test func writesAndReadsByDigest() throws {
        let bytes = Data("hello, blob".utf8)
        let (digest, size) = try store.write(bytes)
        #expect(digest == Digest(of: bytes))
        #expect(size == Int64(bytes.count))
        #expect(try store.data(digest) == bytes)
        #expect(try store.info(digest)?.size == size)
        #expect(try store.all().map(\.digest) == [digest])
    }

    @Test func absentBlobIsNotFound() throws {
        let digest = Digest(of: Data("never written".utf8))
        #expect(try store.info(digest) == nil)
        #expect(store.path(digest) == nil)
        let error = #expect(throws: StoreError.self) { try store.data(digest) }
        #expect(error?.code == .notFound)
    }

    @Test func wrongDigestIsRefusedAndLeavesNothing() throws {
        let claimed = Digest(of: Data("something else".utf8))
        let writer = try store.writer(expecting: claimed, size: nil)
        try writer.write(Data("actual bytes".utf8))
        let error = #expect(throws: StoreError.self) { try writer.commit() }
        #expect(error?.code == .dataLoss)
        #expect(try store.info(claimed) == nil)
        #expect(try store.all().isEmpty)
        let leftovers = try temporaryFiles()
        #expect(leftovers.isEmpty, "ingest files left behind: \(leftovers)")
    }

    @Test func wrongSizeIsRefused() throws {
        let bytes = Data("twelve bytes".utf8)
        let short = try store.writer(expecting: Digest(of: bytes), size: 20)
        try short.write(bytes)
        #expect(throws: StoreError.self) { try short.commit() }

        let long = try store.writer(expecting: nil, size: 4)
        let error = #expect(throws: StoreError.self) { try long.write(bytes) }
        #expect(error?.code == .dataLoss)
        long.abort()
        #expect(try store.all().isEmpty)
        #expect(try temporaryFiles().isEmpty)
    }

    @Test func abandonedWriterLeavesNothing() throws {
        do {
            let writer = try store.writer(expecting: nil, size: nil)
            try writer.write(Data(repeating: 7, count: 100_000))
        }
        #expect(try temporaryFiles().isEmpty)
        #expect(try store.all().isEmpty)
    }

    @Test func streamingWriteMatchesOneShotDigest() throws {
        var expected = DigestHasher()
        let writer = try store.writer(expecting: nil, size: nil)
        for chunk in 0..<50 {
            let part = Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ chunk) })
            expected.update(part)
            try writer.write(part)
        }
        let (digest, size) = try writer.commit()
        #expect(digest == expected.finalize())
        #expect(size == 500_000)
        try store.verify(digest)
    }

    @Test func rewritingAPresentBlobIsHarmless() throws {
        let bytes = Data("same".utf8)
        let first = try store.write(bytes)
        let second = try store.write(bytes)
        #expect(first.digest == second.digest)
        #expect(try store.all().count == 1)
    }

    @Test func corruptionIsDetectedOnRead() throws {
        let (digest, _) = try store.write(Data("original".utf8))
        let path = try #require(store.path(digest))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { try store.data(digest) }
        #expect(error?.code == .dataLoss)
        #expect(throws: StoreError.self) { try store.verify(digest) }
    }

    @Test func deleteRemovesAndToleratesAbsence() throws {
        let (digest, _) = try store.write(Data("to delete".utf8))
        try store.delete(digest)
        #expect(try store.info(digest) == nil)
        try store.delete(digest)
    }

    private func temporaryFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: store.root.temporary.path)
    }
}
