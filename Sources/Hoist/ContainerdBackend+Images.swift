import Foundation
import HoistContainerd
import HoistOCI

/// Listing and removing containerd's images, for `hoist images`, `rmi` and `image prune` on
/// the containerd backend.
extension ContainerdBackend {
    /// Every image record of the namespace that opens for this host, by name.
    func imageSummaries() async throws -> [ImageSummary] {
        let images = try await images()
        var summaries: [ImageSummary] = []
        for record in try await images.daemon.images() {
            guard let resolved = try? await images.open(record) else { continue }
            summaries.append(
                ImageSummary(
                    reference: try? Reference(parsing: record.name), id: resolved.configDigest, digest: try record.target.digest,
                    created: resolved.config.createdDate ?? record.created,
                    size: resolved.manifest.totalSize))
        }
        return summaries.sorted { ($0.reference?.description ?? "") < ($1.reference?.description ?? "") }
    }

    /// Removes image record `name` (a reference, or an image ID: then every record of it);
    /// containerd's garbage collector takes its content and snapshots.
    func removeImage(_ name: String) async throws -> [ImageRemoval] {
        let images = try await images()
        let resolved = try await images.resolve(name)
        var records = [resolved.record]
        if Client.imageIDPrefix(name) != nil, (try? await images.daemon.image(try ContainerdImages.recordName(name))) == nil {
            // Asked for by ID: every name of that image goes.
            records = []
            for record in try await images.daemon.images() where (try? await images.open(record))?.configDigest == resolved.configDigest {
                records.append(record)
            }
        }
        let inUse = Set(try await images.daemon.containers().map(\.image))
        if let used = records.first(where: { inUse.contains($0.name) }) {
            throw ClientError(.failedPrecondition, "image \(used.name) is used by a container: remove the container first")
        }
        var removals: [ImageRemoval] = []
        for record in records {
            try await images.daemon.deleteImage(record.name, synchronous: record.name == records.last?.name)
            if let reference = try? Reference(parsing: record.name) { removals.append(.untagged(reference)) }
        }
        if try await !images.daemon.images().contains(where: { (try? $0.target.digest) == (try? resolved.record.target.digest) }) {
            removals.append(.deleted(resolved.configDigest))
        }
        return removals
    }

    /// Removes the images no container uses: with `all` every one, else those without a tag
    /// (containerd names every image, so only `all` finds any).
    func pruneImages(all: Bool) async throws -> PruneReport {
        guard all else { return PruneReport() }
        let images = try await images()
        let inUse = Set(try await images.daemon.containers().map(\.image))
        var report = PruneReport()
        for record in try await images.daemon.images() where !inUse.contains(record.name) {
            let resolved = try? await images.open(record)
            try await images.daemon.deleteImage(record.name, synchronous: true)
            if let reference = try? Reference(parsing: record.name) { report.removals.append(.untagged(reference)) }
            if let resolved {
                report.removals.append(.deleted(resolved.configDigest))
                report.reclaimedBytes += resolved.manifest.totalSize
            }
        }
        return report
    }
}
