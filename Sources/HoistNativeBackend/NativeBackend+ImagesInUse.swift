import HoistBackend
import HoistOCI
import HoistStore

extension NativeBackend {
    /// The manifest or index digests of the images that containers use — kept ones, running
    /// or not, and those of runs in progress (held by their leases) — which removal and
    /// pruning keep and disk usage counts as active.
    func imageDigestsInUse() throws -> Set<Digest> {
        Set(try store.containers().map { try $0.imageTarget.digest }).union(try store.imagesHeldByLeases())
    }
}
