import ArgumentParser
import Foundation
import Hoist

/// `ps --filter` conditions as Docker's daemon applies them: values of one key are
/// alternatives (any may match), different keys must all hold. Keys: `id` (a prefix), `name`
/// (a regular expression searched in `/NAME`), `label` (`KEY` or `KEY=VALUE`), `status`
/// (`created`, `running`, `exited`, …; naming one lists stopped containers too), `exited`
/// (an exit code), `ancestor` (the image's name or ID), `before`/`since` (another container).
struct ContainerFilter {
    private var values: [String: [String]] = [:]
    static let keys: Set<String> = ["id", "name", "label", "status", "exited", "ancestor", "before", "since"]
    static let statuses: Set<String> = ["created", "restarting", "running", "removing", "paused", "exited", "dead"]

    init(_ filters: [String]) throws {
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw ValidationError("bad format of filter (expected name=value): \(filter)")
            }
            let key = String(filter[..<equals]).lowercased()
            let value = String(filter[filter.index(after: equals)...])
            guard Self.keys.contains(key) else { throw ValidationError("invalid filter '\(key)'") }
            if key == "status", !Self.statuses.contains(value) {
                throw ValidationError("invalid filter 'status=\(value)': use one of \(Self.statuses.sorted().joined(separator: ", "))")
            }
            if key == "exited", Int32(value) == nil { throw ValidationError("invalid filter 'exited=\(value)': an exit code") }
            if key == "name", (try? NSRegularExpression(pattern: value)) == nil {
                throw ValidationError("invalid filter 'name=\(value)': not a regular expression")
            }
            values[key, default: []].append(value)
        }
    }

    /// Whether stopped containers are listed without `-a` (a `status` filter asks for them).
    var includesStopped: Bool { values["status"] != nil }

    /// The containers of `all` (every container, for `before`/`since` lookups) that pass.
    func apply(to candidates: [ContainerSummary], all: [ContainerSummary]) throws -> [ContainerSummary] {
        func find(_ name: String) throws -> ContainerSummary {
            guard let found = all.first(where: { $0.name == name || $0.id.hasPrefix(name) }) else {
                throw ClientError(.notFound, "no such container: \(name)")
            }
            return found
        }
        let before = try values["before"].map { try $0.map(find) }
        let since = try values["since"].map { try $0.map(find) }
        return candidates.filter { container in
            func any(_ key: String, _ test: (String) -> Bool) -> Bool { values[key].map { $0.contains(where: test) } ?? true }
            return any("id") { container.id.hasPrefix($0) }
                && any("name") { pattern in
                    ("/" + container.name).range(of: pattern, options: .regularExpression) != nil
                }
                && any("label") { condition in
                    let parts = condition.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard let value = container.labels[String(parts[0])] else { return false }
                    return parts.count == 1 || value == parts[1]
                }
                && any("status") { $0 == PsCommand.state(container) }
                && any("exited") { code in
                    if case .exited(let exit) = container.state { return Int32(code) == exit }
                    return false
                }
                && any("ancestor") { image in
                    container.image == image || container.image == image + ":latest" || container.imageID.encoded.hasPrefix(image)
                        || container.imageID.description.hasPrefix(image)
                }
                && (before?.allSatisfy { container.created < $0.created } ?? true)
                && (since?.allSatisfy { container.created > $0.created } ?? true)
        }
    }

}
