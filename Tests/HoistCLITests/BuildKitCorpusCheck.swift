#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Hoist
import HoistDockerfile
import HoistOCI
import HoistTestSupport

/// Checks a corpus case's `expect` against what Hoist did: the build's success or error, the
/// exported files, the image config and history, the build checks' warnings. Each check that
/// fails gives one line; an expectation the runner cannot check is a failure too (the case
/// then belongs in the skip list).
struct CorpusCheck {
    let run: CorpusRun
    var expect: [String: JSONValue] { run.corpusCase.expect }

    func failures(of result: Result<ImageSummary, any Error>) async throws -> [String] {
        var failures: [String] = []
        for key in expect.keys.sorted() where !Self.checked.contains(key) {
            failures.append("cannot check \"\(key)\"")
        }
        let errorText: String?
        switch result {
        case .success: errorText = nil
        case .failure(let error): errorText = "\(error)"
        }
        if expect["success"] == .bool(true) {
            if let errorText { return failures + ["the build failed: \(errorText)"] }
        } else {
            guard let errorText else { return failures + ["the build succeeded, but should fail"] }
            for text in expect["error_contains"].map(Self.strings) ?? [] where !errorText.contains(run.substitute(text)) {
                failures.append("the error does not contain \"\(text)\": \(errorText)")
            }
            if let pattern = expect["error_regexp"]?.stringValue,
               (try NSRegularExpression(pattern: pattern)).firstMatch(in: errorText, range: NSRange(errorText.startIndex..., in: errorText)) == nil {
                failures.append("the error does not match /\(pattern)/: \(errorText)")
            }
        }
        if let lint = expect["lint"]?.objectValue {
            failures += try lintFailures(lint)
        }
        guard case .success(let image) = result else { return failures }
        for entry in expect["files"]?.arrayValue ?? [] {
            failures += try fileFailures(entry.objectValue ?? [:])
        }
        failures += try imageFailures(image)
        return failures
    }

    /// The expectations this checker knows.
    static let checked: Set<String> = [
        "success", "error", "error_contains", "error_regexp", "files", "lint", "config", "config_includes", "config_nonempty",
        "config_env_prefixes", "image", "image_nonempty", "diff_ids", "diff_ids_added", "history", "history_added", "image_created_unix",
        "history_created_unix_all",
    ]

    static func strings(_ value: JSONValue) -> [String] {
        value.stringValue.map { [$0] } ?? (value.arrayValue ?? []).compactMap(\.stringValue)
    }

    // MARK: Files

    /// The exported root: the local directory, or the tar exporter's archive unpacked.
    private var exported: URL {
        get throws {
            let archive = run.output.appendingPathComponent("out.tar")
            guard FileManager.default.fileExists(atPath: archive.path) else { return run.output }
            let directory = run.output.appendingPathComponent("unpacked")
            if !FileManager.default.fileExists(atPath: directory.path) {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try ExternalCommand.checked(["tar", "-xpf", archive.path, "-C", directory.path])
            }
            return directory
        }
    }

    private func fileFailures(_ entry: [String: JSONValue]) throws -> [String] {
        guard let path = entry["path"]?.stringValue.map(run.substitute) else { return ["a files entry without a path"] }
        let url = try exported.appendingPathComponent(path)
        var info = stat()
        let exists = lstat(url.path, &info) == 0
        if entry["absent"] == .bool(true) {
            return exists ? ["\(path) exists, but should be absent"] : []
        }
        guard exists else { return ["\(path) is missing"] }
        var failures: [String] = []
        let isLink = info.st_mode & S_IFMT == S_IFLNK
        let isDirectory = info.st_mode & S_IFMT == S_IFDIR
        func content() -> Data? { isDirectory ? nil : FileManager.default.contents(atPath: url.path) }
        func text() -> String { content().map { String(decoding: $0, as: UTF8.self) } ?? "" }
        for (key, value) in entry.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "path", "exists":
                continue
            case "content":
                let expected = run.substitute(value.stringValue ?? "")
                if text() != expected { failures.append("\(path) holds \(text().debugDescription), not \(expected.debugDescription)") }
            case "trimmed_content":
                let expected = run.substitute(value.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                if text().trimmingCharacters(in: .whitespacesAndNewlines) != expected {
                    failures.append("\(path) holds \(text().debugDescription), not \(expected.debugDescription) (trimmed)")
                }
            case "contains":
                let expected = run.substitute(value.stringValue ?? "")
                if !text().contains(expected) { failures.append("\(path) does not contain \(expected.debugDescription): \(text().prefix(400))") }
            case "not_contains":
                let unexpected = run.substitute(value.stringValue ?? "")
                if text().contains(unexpected) { failures.append("\(path) contains \(unexpected.debugDescription)") }
            case "content_or_link_target":
                let expected = run.substitute(value.stringValue ?? "")
                let actual = isLink ? ((try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) ?? "") : text()
                if actual != expected { failures.append("\(path) is \(actual.debugDescription), not \(expected.debugDescription)") }
            case "type":
                let actual = isDirectory ? "dir" : isLink ? "symlink" : "file"
                if actual != value.stringValue { failures.append("\(path) is a \(actual), not a \(value.stringValue ?? "?")") }
            case "empty":
                let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? ["(not a directory)"]
                if !names.isEmpty { failures.append("\(path) is not an empty directory: \(names.sorted())") }
            case "min_size":
                if case .integer(let size) = value, Int64(info.st_size) < size { failures.append("\(path) has \(info.st_size) bytes, under \(size)") }
            case "json":
                if (try? JSONSerialization.jsonObject(with: content() ?? Data())) == nil { failures.append("\(path) is not JSON") }
            case "uid":
                if case .integer(let uid) = value, Int64(info.st_uid) != uid { failures.append("\(path) has uid \(info.st_uid), not \(uid)") }
            case "gid":
                if case .integer(let gid) = value, Int64(info.st_gid) != gid { failures.append("\(path) has gid \(info.st_gid), not \(gid)") }
            case "same_content_as":
                let other = run.corpusCase.directory.appendingPathComponent(value.stringValue ?? "")
                if content() != FileManager.default.contents(atPath: other.path) { failures.append("\(path) differs from \(value.stringValue ?? "")") }
            case "mtime_equals_http_last_modified":
                let routes = run.corpusCase.fields["http_server"]?.objectValue?["routes"]?.objectValue ?? [:]
                // A time relative to now was the server's clock at the request: within a minute.
                let now = Int64(Date().timeIntervalSince1970)
                let modified = routes.values.compactMap { route -> ClosedRange<Int64>? in
                    switch route.objectValue?["last_modified"] {
                    case .integer(let seconds)?: return seconds...seconds
                    case .object(let relative)?:
                        guard case .integer(let offset)? = relative["relative_to_now_seconds"] else { return nil }
                        return (now + offset - 60)...(now + offset)
                    default: return nil
                    }
                }
                if !modified.contains(where: { $0.contains(Int64(info.st_mtim.tv_sec)) }) {
                    failures.append("\(path) has mtime \(info.st_mtim.tv_sec), not the route's Last-Modified \(modified)")
                }
            case "same_file_as":
                var otherInfo = stat()
                let other = try exported.appendingPathComponent(value.stringValue ?? "")
                if lstat(other.path, &otherInfo) != 0 || otherInfo.st_ino != info.st_ino {
                    failures.append("\(path) is not the same file as \(value.stringValue ?? "")")
                }
            default:
                failures.append("\(path): cannot check \"\(key)\"")
            }
        }
        return failures
    }

    // MARK: Image

    private func imageFailures(_ image: ImageSummary) throws -> [String] {
        let imageKeys: Set<String> = [
            "config", "config_includes", "config_nonempty", "config_env_prefixes", "image", "image_nonempty", "diff_ids", "diff_ids_added", "history",
            "history_added", "image_created_unix", "history_created_unix_all",
        ]
        guard !imageKeys.isDisjoint(with: expect.keys) else { return [] }
        let client = run.fixture.client
        let details = try client.inspect(image.id.description)
        guard let path = client.store.content.path(details.id), let data = FileManager.default.contents(atPath: path) else {
            return ["the image config \(details.id) is not in the store"]
        }
        let document = try JSONDecoder().decode(JSONValue.self, from: data).objectValue ?? [:]
        let config = document["config"]?.objectValue ?? [:]
        var failures: [String] = []
        for (key, value) in expect["config"]?.objectValue ?? [:] {
            let actual = config[key] ?? .null
            let empty = actual.isNull || actual.arrayValue?.isEmpty == true || actual.objectValue?.isEmpty == true
            if value.isNull ? !empty : actual != value { failures.append("config \(key) is \(actual), not \(value)") }
        }
        for (key, value) in expect["config_includes"]?.objectValue ?? [:] {
            if let pairs = value.objectValue {
                for (name, item) in pairs where config[key]?.objectValue?[name] != item {
                    failures.append("config \(key) has no \(name)=\(item): \(config[key] ?? .null)")
                }
            } else {
                for item in value.arrayValue ?? [] where !(config[key]?.arrayValue ?? []).contains(item) {
                    failures.append("config \(key) has no \(item): \(config[key] ?? .null)")
                }
            }
        }
        for key in Self.strings(expect["config_nonempty"] ?? .null) where (config[key] ?? .null).isNull {
            failures.append("config \(key) is empty")
        }
        for prefix in Self.strings(expect["config_env_prefixes"] ?? .null) {
            if !(config["Env"]?.arrayValue ?? []).contains(where: { $0.stringValue?.hasPrefix(prefix) == true }) {
                failures.append("no Env item starts with \(prefix)")
            }
        }
        for (key, value) in expect["image"]?.objectValue ?? [:] {
            if let nested = value.objectValue {
                for (inner, item) in nested where document[key]?.objectValue?[inner] != item {
                    failures.append("image \(key).\(inner) is not \(item)")
                }
            } else if document[key] != value {
                failures.append("image \(key) is \(document[key] ?? .null), not \(value)")
            }
        }
        for key in Self.strings(expect["image_nonempty"] ?? .null) where (document[key] ?? .null).isNull {
            failures.append("image \(key) is empty")
        }
        let diffIDs = document["rootfs"]?.objectValue?["diff_ids"]?.arrayValue ?? []
        if case .integer(let count)? = expect["diff_ids"], diffIDs.count != count {
            failures.append("the image has \(diffIDs.count) layers, not \(count)")
        }
        if case .integer(let count)? = expect["diff_ids_added"] {
            let base = try run.corpusCase.baseImages.first.map { try client.inspect($0).rootFS.diffIDs.count } ?? 0
            if diffIDs.count - base != count { failures.append("the build added \(diffIDs.count - base) layers, not \(count)") }
        }
        let history = document["history"]?.arrayValue?.compactMap(\.objectValue) ?? []
        if let expected = expect["history"]?.arrayValue {
            failures += historyFailures(history, expected: expected)
        }
        if let expected = expect["history_added"]?.arrayValue {
            let baseCount = history.count - expected.count
            failures += baseCount < 0 ? ["the history has \(history.count) entries, fewer than \(expected.count) added"]
                : historyFailures(Array(history.suffix(expected.count)), expected: expected)
        }
        if case .integer(let seconds)? = expect["image_created_unix"], Self.unixSeconds(document["created"]) != seconds {
            failures.append("the image was created at \(document["created"] ?? .null), not \(seconds)")
        }
        if case .integer(let seconds)? = expect["history_created_unix_all"] {
            for entry in history where Self.unixSeconds(entry["created"]) != seconds {
                failures.append("a history entry was created at \(entry["created"] ?? .null), not \(seconds)")
            }
        }
        return failures
    }

    private func historyFailures(_ history: [[String: JSONValue]], expected: [JSONValue]) -> [String] {
        guard history.count == expected.count else {
            return ["the history has \(history.count) entries, not \(expected.count): \(history.map { $0["created_by"] ?? .null })"]
        }
        var failures: [String] = []
        for (entry, expectation) in zip(history, expected.compactMap(\.objectValue)) {
            let createdBy = entry["created_by"]?.stringValue ?? ""
            if let exact = expectation["created_by"]?.stringValue, createdBy != exact {
                failures.append("history \(createdBy.debugDescription) is not \(exact.debugDescription)")
            }
            for text in Self.strings(expectation["created_by_contains"] ?? .null) where !createdBy.contains(text) {
                failures.append("history \(createdBy.debugDescription) does not contain \(text.debugDescription)")
            }
            for text in Self.strings(expectation["created_by_not_contains"] ?? .null) where createdBy.contains(text) {
                failures.append("history \(createdBy.debugDescription) contains \(text.debugDescription)")
            }
            if case .bool(let empty)? = expectation["empty_layer"], (entry["empty_layer"] == .bool(true)) != empty {
                failures.append("history \(createdBy.debugDescription) has empty_layer \(!empty)")
            }
            if expectation["created"] == .bool(true), entry["created"] == nil {
                failures.append("history \(createdBy.debugDescription) has no created time")
            }
        }
        return failures
    }

    static func unixSeconds(_ value: JSONValue?) -> Int64? {
        guard let text = value?.stringValue else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
        return date.map { Int64($0.timeIntervalSince1970) }
    }

    // MARK: Build checks

    private func lintFailures(_ lint: [String: JSONValue]) throws -> [String] {
        guard let options = run.options else { return ["the case was not built"] }
        let report: BuildChecker.Report
        do {
            report = try run.fixture.client.check(options).report
        } catch {
            return ["the build checks failed: \(error)"]
        }
        let actual = report.warnings.map { warning in
            JSONValue.object([
                "rule": .string(warning.rule.rawValue), "description": .string(warning.rule.summary),
                "url": .string(warning.rule.documentationURL), "detail": .string(warning.message),
                "line": .integer(Int64(warning.range.start.line)),
            ])
        }
        // `hoist build --check` is BuildKit's lint request: it sees every stage, the build
        // only those it reaches; the request's results carry no line.
        let request = lint["lint_request_warnings"]?.arrayValue
        let expected = (request ?? lint["warnings"]?.arrayValue ?? []).map { warning -> JSONValue in
            var fields = warning.objectValue ?? [:]
            fields["level"] = nil
            if case .integer(0)? = fields["line"] { fields["line"] = nil }
            return .object(fields)
        }
        let shown = actual.map { warning -> JSONValue in
            var fields = warning.objectValue ?? [:]
            if case .integer(0)? = fields["line"] { fields["line"] = nil }
            if request != nil { fields["line"] = nil }
            return .object(fields)
        }
        guard shown != expected else { return [] }
        return ["the build checks differ:\n  hoist:    \(shown.map(Self.line))\n  buildkit: \(expected.map(Self.line))"]
    }

    private static func line(_ warning: JSONValue) -> String {
        let fields = warning.objectValue ?? [:]
        let line = fields["line"].map { "\($0)" } ?? "-"
        return "\(fields["rule"]?.stringValue ?? "?")@\(line): \(fields["detail"]?.stringValue ?? "") [\(fields["description"]?.stringValue ?? "")]"
    }
}
