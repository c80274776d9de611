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
    /// On the containerd backend it removes containerd's images no container uses (whose
    /// content and snapshots its garbage collector then takes); filters are not supported there yet.
    public func pruneOnBackend(all: Bool = false, filters: [String] = []) async throws -> PruneReport {
        if backend == .containerd {
            guard filters.isEmpty else { throw ClientError(.unsupported, "image filters are not supported on the containerd backend yet") }
            return try await containerd.pruneImages(all: all)
        }
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

    /// Copies image `name` from the store into the backend's own image store under the same
    /// name: for containerd, its blobs into the content store, an image record, and its
    /// layers unpacked; for docker, into the daemon. Nothing to do on the native backend.
    public func loadIntoBackend(_ name: String) async throws {
        switch backend {
        case .native, .automatic: _ = try resolve(name)
        case .containerd: try await containerd.load(name)
        case .docker: try await loadIntoDocker(name, tags: [try parseReference(name)])
        }
    }

    /// containerd's images on the containerd backend, by name; the store's otherwise.
    public func backendImages() async throws -> [ImageSummary] {
        backend == .containerd ? try await containerd.imageSummaries() : try images()
    }

    /// Takes name `name` off its image (an image ID: every name), in containerd on the
    /// containerd backend, in the store otherwise; `failedPrecondition` when a container uses it.
    public func removeBackendImage(_ name: String, force: Bool = false) async throws -> [ImageRemoval] {
        backend == .containerd ? try await containerd.removeImage(name) : try removeImage(name, force: force)
    }
}
