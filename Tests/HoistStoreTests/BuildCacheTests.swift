import Foundation
import HoistOCI
import HoistTestSupport
import Testing

@testable import HoistStore

@Suite("Store build cache")
struct BuildCacheTests {
    let directory: TemporaryDirectory
    let store: Store

    init() throws {
        directory = try TemporaryDirectory()
        store = try Store(root: StoreRoot(directory.url))
    }

    static func key(_ name: String) -> Digest { Digest(of: Data(name.utf8)) }

    @Test func resultsAreReadManyAtOnce() throws {
        for name in ["a", "b", "c"] {
            try store.recordBuildCacheResult(Data("result \(name)".utf8), for: Self.key(name), blobs: [])
        }
        let results = try store.buildCacheResults(for: ["a", "c", "missing"].map(Self.key))
        #expect(results == [Self.key("a"): Data("result a".utf8), Self.key("c"): Data("result c".utf8)])
        #expect(try store.buildCacheResults(for: []).isEmpty)
    }

    @Test func useIsRecordedOnlyWhenTheLastIsAnHourOld() throws {
        let now = Date()
        try store.recordBuildCacheResult(Data("a".utf8), for: Self.key("a"), blobs: [])
        try store.recordBuildCacheResult(Data("b".utf8), for: Self.key("b"), blobs: [])
        try store.markBuildCacheUsed([Self.key("a")], at: now.addingTimeInterval(2 * 3600))
        try store.markBuildCacheUsed([Self.key("b")], at: now.addingTimeInterval(600))
        #expect(try store.pruneBuildCache(usedBefore: now.addingTimeInterval(3600)) == 1, "b kept its time of recording")
        #expect(try store.buildCacheResults(for: [Self.key("a"), Self.key("b")]).keys.sorted() == [Self.key("a")])
        #expect(try store.pruneBuildCache(usedBefore: now.addingTimeInterval(3 * 3600)) == 1)
    }
}
