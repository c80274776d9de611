/// `VOLUME path …` or `VOLUME ["path", …]`.
public struct VolumeInstruction: Sendable, Hashable {
    /// The mount points, unexpanded.
    public var paths: [String]
    /// Whether they were a JSON array (then each expands to exactly one path).
    public var isJSON: Bool
    /// Where the instruction is.
    public var range: SourceRange
}
