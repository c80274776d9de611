public import Foundation
import HoistArchive
import HoistDockerfile
import HoistOCI
import HoistRegistry

/// A parser of untrusted input that must end every input with a result or an error, never a
/// trap or a hang: what libFuzzer (and the random driver) feed bytes to.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Dockerfile syntax, instructions, checks and stage scoping.
    case dockerfile
    /// Shell-word expansion as the Dockerfile's instructions use it.
    case expansion
    /// `.dockerignore` patterns and matching paths with them.
    case dockerignore
    /// Tar headers and contents.
    case tar
    /// A layer applied to a directory (tar, possibly compressed).
    case layer
    /// gzip and zstd streams (the format detected from the first bytes).
    case decompress
    /// Image manifests, indexes and configs (JSON).
    case manifest
    /// Image references, digests and platform specifiers.
    case reference
    /// A registry's `WWW-Authenticate` header.
    case wwwAuthenticate = "www-authenticate"

    /// Runs the target over one input; thrown errors are expected outcomes.
    public func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        switch self {
        case .dockerfile: Self.exerciseDockerfile(text)
        case .expansion:
            _ = try? ShellLex().process(text, lookup: { $0 == "a" ? "x y" : nil })
            var raw = ShellLex(escapeCharacter: "`")
            raw.keepsQuotes = true
            raw.keepsEscapes = true
            raw.keepsUnsetVariables = true
            _ = try? raw.process(text, lookup: { _ in nil })
        case .dockerignore:
            // Patterns, then the path asked about on the last line.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            _ = DockerIgnoreFile.patterns(from: text)
            guard let matcher = try? DockerIgnoreMatcher(patterns: Array(lines.dropLast())) else { return }
            _ = try? matcher.matches(lines.last ?? "")
            _ = try? matcher.matchesOrParentMatches(lines.last ?? "")
        case .tar:
            var reader = TarReader(MemoryByteSource(bytes))
            while let header = try? reader.next() {
                _ = header.name
                if (try? reader.readContents()) == nil { break }
            }
        case .layer: Self.applyLayer(bytes)
        case .decompress:
            guard let source = try? DecompressingSource(MemoryByteSource(bytes)) else { return }
            var buffer = [UInt8](repeating: 0, count: 65536)
            while let count = try? buffer.withUnsafeMutableBytes({ try source.read(into: $0) }), count > 0 {}
        case .manifest:
            let decoder = JSONDecoder()
            let data = Data(bytes)
            _ = try? decoder.decode(ImageManifest.self, from: data)
            _ = try? decoder.decode(ImageIndex.self, from: data)
            _ = try? decoder.decode(ImageConfig.self, from: data)
        case .reference:
            _ = try? Reference(parsing: text)
            _ = try? Reference(parsing: text, addingDefaultTag: false)
            _ = try? Digest(parsing: text)
            _ = try? Platform(parsing: text)
        case .wwwAuthenticate:
            _ = AuthChallenge.parse(text)
        }
    }

    /// Every layer a Dockerfile goes through before a build: parse, instructions, checks, ARG
    /// and stage scoping, RUN mounts.
    public static func exerciseDockerfile(_ text: String) {
        guard let tree = try? DockerfileParser.parse(text) else { return }
        _ = tree.formatted()
        guard let dockerfile = try? Dockerfile(syntax: tree) else { return }
        _ = try? BuildChecker().check(dockerfile)
        guard let global = try? GlobalScope(dockerfile: dockerfile, arguments: BuildArguments(values: ["A": "1"])) else { return }
        _ = try? global.stageDependencies()
        for stage in dockerfile.stages {
            _ = try? global.resolveFrom(of: stage)
            var scope = StageScope(global: global)
            for instruction in stage.instructions {
                _ = try? scope.apply(instruction)
                if case .run(let run) = instruction { _ = try? run.mounts(expand: { try scope.expand($0) }) }
            }
        }
    }

    /// Applies `bytes` as a layer to a directory of its own, removed afterwards.
    static func applyLayer(_ bytes: [UInt8]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-fuzz-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        guard (try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)) != nil,
              let applier = try? LayerApplier(root: directory.path),
              let source = try? DecompressingSource(MemoryByteSource(bytes))
        else { return }
        _ = try? applier.apply(source)
    }

    /// The target the environment names (`HOIST_FUZZ_TARGET`), for libFuzzer's entry point.
    public static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["HOIST_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("hoist-fuzz: set HOIST_FUZZ_TARGET to one of \(allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        return target
    }()
}
