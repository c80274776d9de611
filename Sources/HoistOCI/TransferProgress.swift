/// A step in the transfer of one blob or manifest, for a progress display.
public struct TransferProgress: Sendable, Hashable {
    /// What is happening to the blob.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// Queued behind other transfers.
        case waiting
        /// Bytes are moving; ``TransferProgress/completed`` says how many so far.
        case downloading
        case uploading
        /// A transfer broke and is tried again (resumed where the registry allows).
        case retrying
        /// Nothing to move: the store or the registry has it already.
        case alreadyPresent
        /// The registry linked it from another repository instead of an upload.
        case mounted
        /// Moved and verified.
        case complete
    }

    /// The blob's digest.
    public let digest: Digest
    /// What the blob is (config, layer).
    public let mediaType: MediaType
    /// What is happening to it now.
    public let phase: Phase
    /// Bytes moved so far.
    public let completed: Int64
    /// The blob's size.
    public let total: Int64

    public init(digest: Digest, mediaType: MediaType, phase: Phase, completed: Int64, total: Int64) {
        self.digest = digest
        self.mediaType = mediaType
        self.phase = phase
        self.completed = completed
        self.total = total
    }
}

/// Receives progress; called from transfer tasks, possibly concurrently.
public typealias TransferProgressHandler = @Sendable (TransferProgress) -> Void
