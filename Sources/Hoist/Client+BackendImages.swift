public import Foundation
import HoistDockerEngine
import HoistOCI
public import HoistStore

extension Client {
    /// ``save(_:format:to:)`` on this client's backend: on the docker backend the daemon writes
    /// the Docker archive (`hoist --backend docker save`), which is the only format it writes.
    public func saveOnBackend(_ names: [String], format: ImageArchiveFormat = .docker, to destination: URL) async throws {
        guard let docker = containerBackend as? DockerBackend else {
            return try save(names, format: format, to: destination)
        }
        guard !names.isEmpty else { throw ClientError(.invalidArgument, "name at least one image to save") }
        guard format == .docker else {
            throw ClientError(.unsupported, "the docker backend saves Docker archives only (--format docker)")
        }
        // Written beside the destination and renamed: a failed save leaves no partial file.
        let partial = destination.appendingPathExtension("hoist-partial")
        do {
            try await docker.engine().saveImages(names, to: partial)
            guard rename(partial.path, destination.path) == 0 else {
                throw ClientError(.failedPrecondition, "cannot write \(destination.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    /// ``pruneImages(all:filters:)`` on this client's backend: on the docker backend the
    /// daemon prunes its images, judging the filters itself (its error verbatim for one it
    /// refuses).
    public func pruneOnBackend(all: Bool = false, filters: [String] = []) async throws -> PruneReport {
        guard let docker = containerBackend as? DockerBackend else { return try pruneImages(all: all, filters: filters) }
        var selection: [String: [String]] = [:]
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw ClientError(.invalidArgument, "bad filter \"\(filter)\": expected key=value")
            }
            // `label!=k=v` splits into the key `label!`, as the daemon names it.
            selection[String(filter[..<equals]), default: []].append(String(filter[filter.index(after: equals)...]))
        }
        if all, selection["dangling"] == nil { selection["dangling"] = ["false"] }
        let answer = try await docker.engine().pruneImages(filters: selection)
        var report = PruneReport(reclaimedBytes: answer.spaceReclaimed)
        for removal in answer.imagesDeleted ?? [] {
            if let name = removal.untagged, let reference = try? Reference(parsing: name) {
                report.removals.append(.untagged(reference))
            }
            if let id = removal.deleted, let digest = try? Digest(parsing: id) {
                report.removals.append(.deleted(digest))
            }
        }
        return report
    }
}
