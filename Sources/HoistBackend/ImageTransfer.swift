public import HoistOCI
import HoistRegistry

/// A step of a pull or push as a backend reports it: a blob Hoist's registry client moves
/// (native and containerd), or a line of a Docker daemon's progress stream (docker).
public enum TransferEvent: Sendable, Hashable {
    case blob(TransferProgress)
    case daemon(DaemonTransferProgress)
}

/// Receives a pull's or push's progress; called from transfer tasks, possibly concurrently.
public typealias TransferEventHandler = @Sendable (TransferEvent) -> Void

/// What a pull or a push did, as `docker pull` / `docker push` report it.
public struct ImageTransfer: Sendable, Hashable {
    /// The image's reference: what was pulled, or where it was pushed.
    public var reference: Reference
    /// The manifest's digest, where the backend reports it.
    public var digest: String?
    /// The manifest's size in bytes, where the backend reports it.
    public var size: Int64?

    public init(reference: Reference, digest: String?, size: Int64?) {
        self.reference = reference
        self.digest = digest
        self.size = size
    }
}
