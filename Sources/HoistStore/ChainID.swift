public import HoistOCI

/// The identity of a stack of layers (OCI image-spec, "ChainID"): the first layer's is its
/// diffID; each next one is `sha256(previous + " " + diffID)`. Equal chain IDs mean equal root
/// file systems, so an unpacked stack is found again by it.
public struct ChainID: Sendable, Hashable, CustomStringConvertible {
    /// The chain ID as a digest.
    public let digest: Digest

    public init(_ digest: Digest) {
        self.digest = digest
    }

    /// The chain ID of `diffID` stacked on `parent` (or alone when `parent` is nil).
    public init(parent: ChainID?, diffID: Digest) {
        guard let parent else {
            digest = diffID
            return
        }
        digest = Digest(of: Array("\(parent.digest) \(diffID)".utf8))
    }

    /// The chain ID of every prefix of `diffIDs`: element `n` identifies layers `0...n`.
    public static func chain(_ diffIDs: [Digest]) -> [ChainID] {
        var result: [ChainID] = []
        for diffID in diffIDs {
            result.append(ChainID(parent: result.last, diffID: diffID))
        }
        return result
    }

    public var description: String { digest.description }
}
