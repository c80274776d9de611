public import HoistOCI

/// One thing removing an image did, as `docker rmi` reports it.
public enum ImageRemoval: Sendable, Hashable, CustomStringConvertible {
    /// A name was taken off an image.
    case untagged(Reference)
    /// An image lost its last name and was deleted; its ID.
    case deleted(Digest)

    /// `Untagged: busybox:latest` or `Deleted: sha256:…`, as `docker rmi` prints it.
    public var description: String {
        switch self {
        case .untagged(let reference): "Untagged: \(reference.familiarString)"
        case .deleted(let id): "Deleted: \(id)"
        }
    }
}
