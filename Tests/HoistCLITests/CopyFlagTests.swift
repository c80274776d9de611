import Foundation
import Hoist
import HoistArchive
import HoistBuild
import HoistTestSupport
import Testing

/// What Docker 20.10 cannot show of COPY: `--exclude` and `--parents`, which its BuildKit
/// predates, and extended attributes, which its image store drops. Built by Hoist and checked
/// against what the Dockerfile reference documents (and BuildKit's copier does), file by file.
@Suite("COPY --exclude, --parents and attributes", .serialized, .enabled(if: Interop.isRoot))
struct CopyFlagTests {
    let fixture: BusyboxFixture
    let context: URL

    init() throws {
        fixture = try BusyboxFixture()
        context = fixture.directory.appending("context")
        for (path, text) in [
            ("sub/x.txt", "x"), ("sub/y.md", "y"), ("sub/keep.txt", "k"), ("sub/deep/z.txt", "z"),
            ("x/a.txt", "a"), ("x/y/b.txt", "b"), ("x/y/c.md", "c"), ("other.txt", "o"),
        ] {
            let url = context.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    /// Builds `dockerfile` and returns the result's files (`path type`, sorted) under each of
    /// the top-level `directories`.
    private func build(_ dockerfile: String) async throws -> [String] {
        try Data(dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let out = fixture.directory.appending("out-\(UUID().uuidString)")
        var options = BuildOptions(context: context)
        options.outputs = [.local(directory: out.path)]
        _ = try await fixture.client.build(options)
        return try FileTree(root: out.path).entries.map { "\($0.key) \($0.value.type)" }.sorted()
    }

    @Test func excludePatternsAreRelativeToEachSource() async throws {
        let files = try await build("""
            FROM scratch
            COPY --exclude=*.txt sub/ /d/
            COPY --exclude=sub/x.txt sub/ /e/
            COPY --exclude=**/*.txt --exclude=!keep.txt sub /f/
            ADD --exclude=deep sub /g/
            """)
        // `*.txt` is matched against `x.txt`, not `sub/x.txt`: one level only, as patterns are.
        #expect(files.filter { $0.hasPrefix("d/") } == ["d/deep d", "d/deep/z.txt f", "d/y.md f"])
        // A pattern naming the context path matches nothing under the source.
        #expect(files.filter { $0.hasPrefix("e/") } == ["e/deep d", "e/deep/z.txt f", "e/keep.txt f", "e/x.txt f", "e/y.md f"])
        // `!` takes a path back; a directory left with nothing is still copied, empty.
        #expect(files.filter { $0.hasPrefix("f/") } == ["f/deep d", "f/keep.txt f", "f/y.md f"])
        #expect(files.filter { $0.hasPrefix("g/") } == ["g/keep.txt f", "g/x.txt f", "g/y.md f"])
    }

    @Test func parentsKeepTheSourcesPathUpToThePivot() async throws {
        let files = try await build("""
            FROM scratch
            COPY --parents x /p1/
            COPY --parents ./x /p2/
            COPY --parents x/ /p3/
            COPY --parents ./x/./ /p4/
            COPY --parents ./x/./y/b.txt /p5/
            COPY --parents x/y/b.txt other.txt /p6/
            COPY --parents x/*/*.txt /p7/
            COPY --parents x/**/*.md /p8/
            COPY --parents x/*.none /p9/
            """)
        let wholeX = ["x d", "x/a.txt f", "x/y d", "x/y/b.txt f", "x/y/c.md f"]
        for directory in ["p1", "p2", "p3"] {
            #expect(files.filter { $0.hasPrefix("\(directory)/") } == wholeX.map { "\(directory)/\($0)" }, "\(directory)")
        }
        // `/./` is the pivot: what comes after it is kept, what comes before is not.
        #expect(files.filter { $0.hasPrefix("p4/") } == ["p4/a.txt f", "p4/y d", "p4/y/b.txt f", "p4/y/c.md f"])
        #expect(files.filter { $0.hasPrefix("p5/") } == ["p5/y d", "p5/y/b.txt f"])
        #expect(files.filter { $0.hasPrefix("p6/") } == ["p6/other.txt f", "p6/x d", "p6/x/y d", "p6/x/y/b.txt f"])
        #expect(files.filter { $0.hasPrefix("p7/") } == ["p7/x d", "p7/x/y d", "p7/x/y/b.txt f"])
        #expect(files.filter { $0.hasPrefix("p8/") } == ["p8/x d", "p8/x/y d", "p8/x/y/c.md f"])
        // A wildcard matching nothing copies nothing.
        #expect(files.filter { $0.hasPrefix("p9") } == ["p9 d"])
    }

    @Test func aMissingParentsSourceIsNotFound() async throws {
        await #expect(throws: BuildError.self) {
            _ = try await build("FROM scratch\nCOPY --parents x/nothere /p/\n")
        }
    }

    @Test func userAttributesOfContextFilesAreKept() async throws {
        let file = context.appendingPathComponent("other.txt").path
        try #require(ExtendedAttributes.set(file, "user.note", Array("hello".utf8)) == 0)
        try Data("FROM scratch\nCOPY other.txt /copied\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let image = try await fixture.client.build(BuildOptions(context: context, tags: ["attributes"]))
        let layer = try #require(try fixture.client.inspect(image.id.description).layers.last)
        let path = try #require(fixture.client.store.content.path(try layer.digest))
        var reader = TarReader(try DecompressingSource(try FileByteSource(path: path)))
        var attributes: [String: [UInt8]]?
        while let header = try reader.next() {
            if header.name == "copied" { attributes = header.xattrs }
        }
        #expect(attributes?["user.note"] == Array("hello".utf8), "the layer's entry has \(String(describing: attributes))")
    }
}
