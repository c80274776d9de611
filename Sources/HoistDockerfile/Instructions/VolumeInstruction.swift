/// `VOLUME path …` or `VOLUME ["path", …]`.
public struct VolumeInstruction: Sendable, Hashable {
    /// The mount points, unexpanded.
    public var paths: [String]
    /// Where the instruction is.
    public var range: SourceRange
}
