import HoistOCI

extension Client {
    /// The manifest or index digests of the images that containers use, which removal and
    /// pruning keep and disk usage counts as active.
    func imageDigestsInUse() throws -> Set<Digest> {
        Set(try store.containers().map { try $0.imageTarget.digest })
    }
}
