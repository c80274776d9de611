import Foundation
import HoistOCI
import Testing

/// The OCI image-spec material in the shared folder, read where it lies.
enum ImageSpecConformance {
    /// `../shared/conformance/oci-image-spec` relative to the package root.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // HoistOCITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("../shared/conformance/oci-image-spec")
        .standardizedFileURL

    struct Vector: Sendable, CustomTestStringConvertible {
        let file: String
        let shouldPass: Bool
        let digest: String
        let note: String
        var testDescription: String { file }
    }

    struct Example: Sendable, CustomTestStringConvertible {
        let file: String
        let mediaType: String
        var testDescription: String { file }
    }

    /// The rows of a tab-separated index with a header line.
    static func rows(_ path: String) -> [[String]] {
        guard let text = try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
    }

    static let vectors: [Vector] = rows("vectors/index.tsv").map {
        Vector(file: $0[0], shouldPass: $0[1] == "pass", digest: $0[2], note: $0.count > 4 ? $0[4] : "")
    }

    static let examples: [Example] = rows("examples/index.tsv").map { Example(file: $0[0], mediaType: $0[1]) }

    static func bytes(_ path: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(path))
    }

    /// Decodes `data` as the document kind and validates it; throws whatever rejects it.
    static func check(_ data: Data, as kind: String) throws {
        switch kind {
        case "config": _ = try ImageConfig(validating: data)
        case "manifest": _ = try ImageManifest(validating: data)
        case "index": _ = try ImageIndex(validating: data)
        case "layout": _ = try ImageLayout(validating: data)
        case "descriptor": _ = try Descriptor(validating: data)
        default: throw OCIError(.internal, "no validator for \(kind)")
        }
    }

    /// The document kind a vector's folder (or compat file name) stands for.
    static func kind(ofVector file: String) -> String {
        let folder = String(file.split(separator: "/")[0])
        if folder == "docker-v2.2-compat" {
            let name = file.split(separator: "/")[1]
            return name.hasPrefix("index") ? "index" : name.hasPrefix("manifest") ? "manifest" : "config"
        }
        return ["config": "config", "manifest": "manifest", "image-index": "index", "image-layout": "layout",
                "descriptor": "descriptor"][folder] ?? folder
    }

    static func kind(ofMediaType mediaType: String) -> String {
        switch MediaType(mediaType) {
        case .ociDescriptor: "descriptor"
        case .ociManifest: "manifest"
        case .ociIndex: "index"
        case .ociLayoutHeader: "layout"
        case .ociConfig: "config"
        default: "unknown"
        }
    }

    /// The Docker-to-OCI media-type replacements the README gives for the compat files.
    static let dockerToOCI: [(String, String)] = [
        (MediaType.dockerManifestList.rawValue, MediaType.ociIndex.rawValue),
        (MediaType.dockerManifest.rawValue, MediaType.ociManifest.rawValue),
        (MediaType.dockerLayerGzip.rawValue, MediaType.ociLayerGzip.rawValue),
        (MediaType.dockerConfig.rawValue, MediaType.ociConfig.rawValue),
    ]

    /// Runs one vector: nil when the outcome is what the index expects, else what went wrong.
    static func verdict(_ vector: Vector) -> String? {
        let data: Data
        do {
            data = try bytes("vectors/" + vector.file)
        } catch {
            return "cannot read: \(error)"
        }
        if !vector.digest.isEmpty, Digest(of: data).description != vector.digest {
            return "sha256 of the file is \(Digest(of: data)), index says \(vector.digest)"
        }
        var documents = [data]
        if vector.file.hasPrefix("docker-v2.2-compat/") {
            var text = String(decoding: data, as: UTF8.self)
            for (docker, oci) in dockerToOCI { text = text.replacingOccurrences(of: docker, with: oci) }
            documents.append(Data(text.utf8))
        }
        for document in documents {
            do {
                try check(document, as: kind(ofVector: vector.file))
                if !vector.shouldPass { return "accepted, but should fail (\(vector.note))" }
            } catch {
                if vector.shouldPass { return "rejected, but should pass: \(error)" }
            }
        }
        return nil
    }
}

@Suite struct ConformanceTests {
    @Test(arguments: ImageSpecConformance.vectors)
    func vector(_ vector: ImageSpecConformance.Vector) {
        if let problem = ImageSpecConformance.verdict(vector) {
            Issue.record("\(vector.file): \(problem)")
        }
    }

    @Test func allVectorsChecked() {
        let vectors = ImageSpecConformance.vectors
        let failures = vectors.compactMap { vector in ImageSpecConformance.verdict(vector).map { "\(vector.file): \($0)" } }
        let passing = vectors.filter(\.shouldPass).count
        print("OCI vectors: \(vectors.count) checked, \(passing) pass, \(vectors.count - passing) fail, \(failures.count) wrong")
        #expect(vectors.count == 71, "vector index at \(ImageSpecConformance.root.path) has \(vectors.count) rows")
        #expect(passing == 31)
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        let compat = vectors.filter { $0.file.hasPrefix("docker-v2.2-compat/") }
        #expect(compat.count == 4 && compat.allSatisfy { !$0.digest.isEmpty })
    }

    @Test(arguments: ImageSpecConformance.examples)
    func example(_ example: ImageSpecConformance.Example) throws {
        let data = try ImageSpecConformance.bytes("examples/" + example.file)
        try ImageSpecConformance.check(data, as: ImageSpecConformance.kind(ofMediaType: example.mediaType))
    }

    @Test func allExamplesListed() {
        print("OCI examples: \(ImageSpecConformance.examples.count) checked")
        #expect(ImageSpecConformance.examples.count == 13)
    }

    /// Re-encoding the real Docker documents keeps every member (explicit nulls aside).
    @Test(arguments: ImageSpecConformance.vectors.filter { $0.file.hasPrefix("docker-v2.2-compat/") })
    func dockerDocumentsRoundTrip(_ vector: ImageSpecConformance.Vector) throws {
        let data = try ImageSpecConformance.bytes("vectors/" + vector.file)
        let reencoded: Data
        switch ImageSpecConformance.kind(ofVector: vector.file) {
        case "index": reencoded = try CanonicalJSON.encode(JSONDecoder().decode(ImageIndex.self, from: data))
        case "manifest": reencoded = try CanonicalJSON.encode(JSONDecoder().decode(ImageManifest.self, from: data))
        default: reencoded = try CanonicalJSON.encode(JSONDecoder().decode(ImageConfig.self, from: data))
        }
        func withoutNulls(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let members): .object(members.filter { !$0.value.isNull }.mapValues(withoutNulls))
            case .array(let elements): .array(elements.map(withoutNulls))
            default: value
            }
        }
        let original = withoutNulls(try JSONDecoder().decode(JSONValue.self, from: data))
        let again = withoutNulls(try JSONDecoder().decode(JSONValue.self, from: reencoded))
        #expect(original == again, "\(vector.file) changed when re-encoded")
    }
}
