package import Foundation
package import HoistBackend
package import HoistStore
import HoistContainerd
package import HoistOCI

/// Listing and removing containerd's images, for `hoist images`, `rmi` and `image prune` on
/// the containerd backend.
extension ContainerdBackend {
    /// Every image record of the namespace that opens for this host, by name; filters are
    /// refused, naming the capability this backend lacks.
    package func images(filters: [String]) async throws -> [ImageSummary] {
        try Self.refuseFilters(filters)
        let images = try await imageStore()
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
    /// containerd's garbage collector takes its content and snapshots. A name a container uses
    /// goes only with `force` (the container keeps its snapshot).
    package func removeImage(_ name: String, force: Bool) async throws -> [ImageRemoval] {
        let images = try await imageStore()
        let resolved = try await images.resolve(name)
        var records = [resolved.record]
        if StoreImages.imageIDPrefix(name) != nil, (try? await images.daemon.image(try ContainerdImages.recordName(name))) == nil {
            // Asked for by ID: every name of that image goes.
            records = []
            for record in try await images.daemon.images() where (try? await images.open(record))?.configDigest == resolved.configDigest {
                records.append(record)
            }
        }
        let inUse = Set(try await images.daemon.containers().map(\.image))
        if !force, let used = records.first(where: { inUse.contains($0.name) }) {
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
    package func pruneImages(all: Bool, filters: [String]) async throws -> PruneReport {
        try Self.refuseFilters(filters)
        guard all else { return PruneReport() }
        let images = try await imageStore()
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

    /// containerd's images are not written to archives here yet.
    package func saveImages(_ names: [String], format: ImageArchiveFormat, to destination: URL,
                    progress: @escaping TransferProgressHandler) async throws {
        throw ClientError(.unsupported, "the containerd backend cannot save images to an archive (it lacks the imageArchives capability): save them with the native backend or with ctr images export")
    }

    /// Loads the archive into Hoist's store, then copies each named image into containerd.
    package func loadImages(from archive: URL, progress: @escaping TransferProgressHandler) async throws -> [ImageSummary] {
        let loaded = try storeImages.load(archive: archive, progress: progress)
        for reference in Set(loaded.compactMap(\.reference)) { try await load(reference.description) }
        return loaded
    }

    private static func refuseFilters(_ filters: [String]) throws {
        guard filters.isEmpty else {
            throw ClientError(.unsupported, "image filters are not supported on the containerd backend (it lacks the imageFilters capability)")
        }
    }
}
