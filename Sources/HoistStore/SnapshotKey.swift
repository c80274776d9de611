public import HoistOCI

/// The name of a snapshot inside one snapshotter: an active snapshot's key, a view's key or a
/// committed snapshot's name (keys and names share one namespace, as in containerd).
///
/// Any non-empty text up to 1,024 bytes without NUL or line breaks; callers choose the scheme
/// (``LayerUnpacker`` uses the layer chain's ``ChainID``, the build engine a step's cache key).
public struct SnapshotKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The key's text.
    public let rawValue: String

    /// Validates `rawValue`; throws `invalidArgument` for an empty, over-long or multi-line key.
    public init(_ rawValue: String) throws {
        guard !rawValue.isEmpty, rawValue.utf8.count <= 1024,
            !rawValue.contains(where: { $0 == "\0" || $0.isNewline })
        else {
            throw StoreError(.invalidArgument, "invalid snapshot key \"\(rawValue)\": want 1-1024 bytes without NUL or line breaks")
        }
        self.rawValue = rawValue
    }

    /// The key of the committed snapshot that holds the layers up to `chainID`.
    public init(chainID: ChainID) {
        rawValue = "layer/" + chainID.digest.description
    }

    public var description: String { rawValue }

    public static func < (lhs: SnapshotKey, rhs: SnapshotKey) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
