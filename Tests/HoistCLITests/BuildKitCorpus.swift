import Foundation
import HoistOCI
import HoistTestSupport

/// BuildKit's Dockerfile integration tests as data, read in place from
/// `../shared/conformance/buildkit-dockerfile` (its README describes the format), and the
/// project's skip list for them (`Tests/BuildKitCorpus/skip-list`).
enum BuildKitCorpus {
    static let root = Interop.conformance("buildkit-dockerfile")
    static let casesDirectory = root.appendingPathComponent("cases")
    static let skipListFile = Interop.packageRoot.appendingPathComponent("Tests/BuildKitCorpus/skip-list")

    /// Every case, by name, sorted; empty when the corpus is not there.
    static let cases: [CorpusCase] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: casesDirectory.path)) ?? []
        return names.sorted().compactMap { name in
            let file = casesDirectory.appendingPathComponent("\(name)/case.json")
            guard let data = try? Data(contentsOf: file), let json = try? JSONDecoder().decode(JSONValue.self, from: data) else {
                return nil
            }
            return CorpusCase(name: name, json: json)
        }
    }()

    /// What this machine cannot give a case, by requirement (they are skipped, not listed).
    static let unmetOnThisMachine: [String: String] = {
        var unmet = [
            "network": "RUN downloads from the internet, which this machine does not reach",
            "gateway-frontend": "the build runs through a frontend image (gateway.v0), which needs a registry holding BuildKit's frontend",
        ]
        // The unified hierarchy has its controllers listed at its root.
        if !FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") {
            unmet["cgroup-v2"] = "needs the unified cgroup hierarchy (v2); this machine mounts v1"
        }
        return unmet
    }()

    /// Paths where Docker 20.10's BuildKit gives other files than current BuildKit, which Hoist
    /// follows, by case (`Tests/BuildKitCorpus/docker-differences`: `case: path # why`).
    static let dockerDifferences: [String: [String]] = {
        let file = Interop.packageRoot.appendingPathComponent("Tests/BuildKitCorpus/docker-differences")
        var differences: [String: [String]] = [:]
        for line in ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let path = parts[1].split(separator: "#", maxSplits: 1)[0].trimmingCharacters(in: .whitespaces)
            differences[parts[0], default: []].append(path)
        }
        return differences
    }()

    /// The skip list: case or function name → reason.
    static func skipList() throws -> [(entry: String, reason: String, line: Int)] {
        let text = try String(contentsOf: skipListFile, encoding: .utf8)
        var entries: [(String, String, Int)] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let parts = trimmed.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            entries.append((parts[0], parts.count > 1 ? parts[1] : "", offset + 1))
        }
        return entries
    }

    /// Why `corpusCase` does not run here, or nil when it does.
    static func reasonToSkip(_ corpusCase: CorpusCase, skipList: [(entry: String, reason: String, line: Int)]) -> String? {
        if let unmet = corpusCase.requires.first(where: { unmetOnThisMachine[$0] != nil }) {
            return "machine: \(unmetOnThisMachine[unmet]!)"
        }
        if let listed = skipList.first(where: { corpusCase.matches($0.entry) }) {
            return "skip list: \(listed.reason)"
        }
        return nil
    }
}

/// One case of the corpus: its `case.json`, its folder and what it needs.
struct CorpusCase: Sendable, CustomStringConvertible {
    let name: String
    let json: JSONValue

    var description: String { name }
    var directory: URL { BuildKitCorpus.casesDirectory.appendingPathComponent(name) }
    var fields: [String: JSONValue] { json.objectValue ?? [:] }
    var expect: [String: JSONValue] { fields["expect"]?.objectValue ?? [:] }
    var requires: [String] { strings("requires") }
    var baseImages: [String] { strings("base_images") }
    /// The Go test function the case comes from (`testCopyWildcards`).
    var function: String { (fields["source"]?.stringValue ?? "").split(separator: " ").last.map(String.init) ?? "" }
    var frontendAttributes: [String: String] { (fields["frontend_attrs"]?.objectValue ?? [:]).compactMapValues(\.stringValue) }
    var buildArguments: [String: String] { (fields["build_args"]?.objectValue ?? [:]).compactMapValues(\.stringValue) }
    var target: String? { fields["target"]?.stringValue }
    var platform: String? { fields["platform"]?.stringValue }
    var context: String { fields["context"]?.stringValue ?? "local" }
    var dockerfileInContext: Bool { fields["dockerfile_in_context"] != .bool(false) }
    var dockerfileName: String { fields["dockerfile_name"]?.stringValue ?? "Dockerfile" }
    var secrets: [String: String] { (fields["secrets"]?.objectValue ?? [:]).compactMapValues(\.stringValue) }
    var prebuild: [(corpusCase: String, imageName: String)] {
        (fields["prebuild"]?.arrayValue ?? []).compactMap { entry in
            guard let object = entry.objectValue, let name = object["case"]?.stringValue, let image = object["image_name"]?.stringValue
            else { return nil }
            return (name, image)
        }
    }

    /// Whether a skip-list entry names this case: its name, or its Go function's.
    func matches(_ entry: String) -> Bool {
        entry == name || entry == function
    }

    func strings(_ key: String) -> [String] {
        (fields[key]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// `[{"path", "mode"}]` entries of `key`.
    func paths(_ key: String) -> [(path: String, mode: UInt32?, target: String?)] {
        (fields[key]?.arrayValue ?? []).compactMap { entry in
            guard let object = entry.objectValue, let path = object["path"]?.stringValue else { return nil }
            return (path, object["mode"]?.stringValue.flatMap { UInt32($0, radix: 8) }, object["target"]?.stringValue)
        }
    }
}
