package import Foundation
package import HoistBackend
import HoistDockerEngine
package import HoistOCI
package import HoistStore

/// The image verbs on a Docker Engine: the daemon's own images, judged by the daemon.
extension DockerBackend {
    package func images(filters: [String]) async throws -> [ImageSummary] {
        let selection = try Self.engineFilters(filters)
        var summaries: [ImageSummary] = []
        for image in try await engine().images(filters: selection) {
            let id = try Digest(parsing: image.id)
            // The manifest digest the daemon knows from a pull or push, else the ID (a local image has no other).
            let digest = image.repoDigests?.lazy.compactMap { $0.split(separator: "@").last.flatMap { try? Digest(parsing: String($0)) } }.first ?? id
            let created = Date(timeIntervalSince1970: TimeInterval(image.created))
            let names = (image.repoTags ?? []).filter { $0 != "<none>:<none>" }.compactMap { try? Reference(parsing: $0) }
            if names.isEmpty {
                summaries.append(ImageSummary(reference: nil, id: id, digest: digest, created: created, size: image.size))
            }
            for name in names {
                summaries.append(ImageSummary(reference: name, id: id, digest: digest, created: created, size: image.size))
            }
        }
        return summaries
    }

    package func removeImage(_ name: String, force: Bool) async throws -> [ImageRemoval] {
        Self.removals(try await engine().removeImage(name, force: force))
    }

    package func pruneImages(all: Bool, filters: [String]) async throws -> PruneReport {
        var selection = try Self.engineFilters(filters)
        if all, selection["dangling"] == nil { selection["dangling"] = ["false"] }
        let answer = try await engine().pruneImages(filters: selection)
        return PruneReport(removals: Self.removals(answer.imagesDeleted ?? []), reclaimedBytes: answer.spaceReclaimed)
    }

    /// The daemon writes Docker archives only.
    /// The daemon writes the archive: no progress of its own.
    package func saveImages(_ names: [String], format: ImageArchiveFormat, to destination: URL,
                            progress: @escaping TransferProgressHandler) async throws {
        guard !names.isEmpty else { throw ClientError(.invalidArgument, "name at least one image to save") }
        guard format == .docker else {
            throw ClientError(.unsupported, "the docker backend saves Docker archives only (--format docker)")
        }
        // Written beside the destination and renamed: a failed save leaves no partial file.
        let partial = destination.appendingPathExtension("hoist-partial")
        do {
            try await engine().saveImages(names, to: partial)
            guard rename(partial.path, destination.path) == 0 else {
                throw ClientError(.failedPrecondition, "cannot write \(destination.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
    }

    /// The daemon reads the archive and names what it loaded; each is described as the daemon has it.
    package func loadImages(from archive: URL, progress: @escaping TransferProgressHandler) async throws -> [ImageSummary] {
        let engine = try await engine()
        var summaries: [ImageSummary] = []
        for loaded in try await engine.loadImages(from: archive) {
            let details = try await engine.inspectImage(loaded)
            let reference = loaded.hasPrefix("sha256:") ? nil : try? Reference(parsing: loaded)
            let id = try Digest(parsing: details.id)
            summaries.append(ImageSummary(
                reference: reference, id: id, digest: id, created: details.createdDate ?? Date(), size: details.size ?? 0))
        }
        return summaries
    }

    /// `key=value` filters as the Engine API takes them: values by key, for the daemon to judge
    /// (`label!=k=v` splits into the key `label!`, as the daemon names it).
    static func engineFilters(_ filters: [String]) throws -> [String: [String]] {
        var selection: [String: [String]] = [:]
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw ClientError(.invalidArgument, "bad filter \"\(filter)\": expected key=value")
            }
            selection[String(filter[..<equals]), default: []].append(String(filter[filter.index(after: equals)...]))
        }
        return selection
    }

    /// The daemon's list of names taken off and images deleted, in its order.
    private static func removals(_ answer: [EngineImageRemoval]) -> [ImageRemoval] {
        answer.flatMap { removal -> [ImageRemoval] in
            var removals: [ImageRemoval] = []
            if let name = removal.untagged, let reference = try? Reference(parsing: name) { removals.append(.untagged(reference)) }
            if let id = removal.deleted, let digest = try? Digest(parsing: id) { removals.append(.deleted(digest)) }
            return removals
        }
    }
}
