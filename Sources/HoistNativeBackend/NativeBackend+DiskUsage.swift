import Foundation
public import HoistBackend
import HoistOCI
import HoistRuntime
public import HoistStore

extension NativeBackend {
    /// How much disk images and build cache take, as `docker system df` reports it.
    ///
    /// Sizes are of the stored blobs, each counted once however many images share it. An
    /// image's reclaimable bytes are those only unused images hold (blobs the build cache also
    /// keeps stay after a prune, so they are not counted); the build cache's are those no image
    /// holds. Unpacked snapshots are not counted. A container's size is what its own writable
    /// layer and logs take; the stopped ones' are reclaimable.
    public func diskUsage() throws -> DiskUsage {
        let images = try storedImages()
        let digestsInUse = try imageDigestsInUse()
        let active = images.filter { $0.isUsed(by: digestsInUse) }
        var sizes: [Digest: Int64] = [:]
        for blob in try store.content.all() { sizes[blob.digest] = blob.size }
        func bytes(_ digests: Set<Digest>) -> Int64 { digests.reduce(0) { $0 + (sizes[$1] ?? 0) } }

        let imageBlobs = try store.blobs(reachableFrom: images.map(\.target))
        let activeBlobs = try store.blobs(reachableFrom: active.map(\.target))
        let cacheBlobs = try store.blobsHeldByBuildCache()
        return DiskUsage(
            images: .init(
                total: images.count, active: active.count, size: bytes(imageBlobs),
                reclaimable: bytes(imageBlobs.subtracting(activeBlobs).subtracting(cacheBlobs))),
            containers: try containerUsage(),
            buildCache: .init(
                total: try store.buildCacheEntryCount(), active: 0, size: bytes(cacheBlobs),
                reclaimable: bytes(cacheBlobs.subtracting(imageBlobs))))
    }

    private func containerUsage() throws -> DiskUsage.Usage {
        let snapshotter = try store.snapshotter()
        var usage = DiskUsage.Usage()
        let executor = RuncExecutor(store: store.root)
        for record in try store.containers() {
            let container = try StoredContainer(record: record, store: store)
            let summary = summary(of: container, executor: executor)
            var bytes = (try? snapshotter.usage(container.record.snapshotKey).size) ?? 0
            for file in [container.files.standardOutput, container.files.standardError] {
                bytes += ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int64) ?? 0
            }
            usage.total += 1
            usage.size += bytes
            if summary.state.isRunning { usage.active += 1 } else { usage.reclaimable += bytes }
        }
        return usage
    }
}
