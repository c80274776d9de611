import Foundation
import HoistBuild
import HoistOCI
import Testing

/// The canonical JSON of build ops, which every vertex digest and cache key is made of, as it
/// has always been written: written by hand now, it must not move by a byte.
@Suite struct OpEncodingTests {
    static let digest = Digest(of: Data("x".utf8))

    static let ops: [Op] = [
        .source(.image(reference: "busybox", platform: Platform(os: "linux", architecture: "amd64"))),
        .source(.image(reference: "busybox", platform: nil)),
        .source(.local(name: "context", include: ["a"], exclude: ["*.tmp"])),
        .source(.http(url: "https://example.com/f", checksum: digest, filename: "f", permissions: 0o644)),
        .source(.http(url: "https://example.com/f", checksum: nil, filename: nil, permissions: nil)),
        .source(.git(url: "https://example.com/r.git", ref: "v1", keepGitDirectory: true)),
        .source(.git(url: "https://example.com/r.git", ref: nil, keepGitDirectory: false)),
        .exec(ExecOp(
            arguments: ["sh", "-c", "echo 1"], environment: ["PATH=/bin"], workingDirectory: "/w", user: "1:2", network: .none,
            insecure: true,
            mounts: [
                ExecMount(input: 0, destination: "/"),
                ExecMount(input: nil, selector: "/s", destination: "/c", readOnly: true,
                          kind: .cache(id: "c", sharing: .locked, uid: 1, gid: 2, mode: 0o755)),
                ExecMount(input: nil, destination: "/t", kind: .tmpfs(sizeBytes: 1024)),
                ExecMount(input: nil, destination: "/t2", kind: .tmpfs(sizeBytes: nil)),
                ExecMount(input: nil, destination: "/run/secrets/s", kind: .secret(id: "s", required: true, uid: 0, gid: 0, mode: 0o400)),
            ])),
        .file(FileOp(actions: [
            .copy(CopyAction(sourceInput: 1, sources: ["a", "b"], destination: "/d/", owner: FileOwner(user: "u", group: "g"), mode: "755",
                             excludes: ["x"], keepParents: true, unpackArchives: true)),
            .copy(CopyAction(sourceInput: 0, sources: ["a"], destination: "/d")),
            .mkdir(path: "/m", mode: 0o700, makeParents: true, owner: FileOwner(user: "u")),
            .mkdir(path: "/m", mode: 0o755, makeParents: false, owner: nil),
            .mkfile(path: "/f", contents: [104, 105], mode: 0o644, owner: nil),
            .remove(path: "/r", allowNotFound: true),
            .symlink(target: "/t", path: "/l"),
        ])),
        .merge,
    ]

    /// As the compiler-synthesized encoders wrote them.
    static let expected: [String] = [
        #"{"source":{"_0":{"image":{"platform":{"architecture":"amd64","os":"linux"},"reference":"busybox"}}}}"#,
        #"{"source":{"_0":{"image":{"reference":"busybox"}}}}"#,
        #"{"source":{"_0":{"local":{"exclude":["*.tmp"],"include":["a"],"name":"context"}}}}"#,
        #"{"source":{"_0":{"http":{"checksum":"sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","filename":"f","permissions":420,"url":"https://example.com/f"}}}}"#,
        #"{"source":{"_0":{"http":{"url":"https://example.com/f"}}}}"#,
        #"{"source":{"_0":{"git":{"keepGitDirectory":true,"ref":"v1","url":"https://example.com/r.git"}}}}"#,
        #"{"source":{"_0":{"git":{"keepGitDirectory":false,"url":"https://example.com/r.git"}}}}"#,
        #"{"exec":{"_0":{"arguments":["sh","-c","echo 1"],"environment":["PATH=/bin"],"insecure":true,"mounts":[{"destination":"/","input":0,"kind":{"bind":{}},"readOnly":false,"selector":"/"},{"destination":"/c","kind":{"cache":{"gid":2,"id":"c","mode":493,"sharing":"locked","uid":1}},"readOnly":true,"selector":"/s"},{"destination":"/t","kind":{"tmpfs":{"sizeBytes":1024}},"readOnly":false,"selector":"/"},{"destination":"/t2","kind":{"tmpfs":{}},"readOnly":false,"selector":"/"},{"destination":"/run/secrets/s","kind":{"secret":{"gid":0,"id":"s","mode":256,"required":true,"uid":0}},"readOnly":false,"selector":"/"}],"network":"none","user":"1:2","workingDirectory":"/w"}}}"#,
        #"{"file":{"_0":{"actions":[{"copy":{"_0":{"destination":"/d/","excludes":["x"],"keepParents":true,"mode":"755","owner":{"group":"g","user":"u"},"sourceInput":1,"sources":["a","b"],"unpackArchives":true}}},{"copy":{"_0":{"destination":"/d","excludes":[],"keepParents":false,"sourceInput":0,"sources":["a"],"unpackArchives":false}}},{"mkdir":{"makeParents":true,"mode":448,"owner":{"user":"u"},"path":"/m"}},{"mkdir":{"makeParents":false,"mode":493,"path":"/m"}},{"mkfile":{"contents":[104,105],"mode":420,"path":"/f"}},{"remove":{"allowNotFound":true,"path":"/r"}},{"symlink":{"path":"/l","target":"/t"}}]}}}"#,
        #"{"merge":{}}"#,
    ]

    @Test func opsEncodeAsTheyAlwaysHave() throws {
        #expect(Self.ops.count == Self.expected.count)
        for (op, expected) in zip(Self.ops, Self.expected) {
            let json = String(decoding: try CanonicalJSON.encode(op), as: UTF8.self)
            #expect(json == expected)
            #expect(try JSONDecoder().decode(Op.self, from: Data(json.utf8)) == op, "decodes back: \(json)")
        }
    }
}
