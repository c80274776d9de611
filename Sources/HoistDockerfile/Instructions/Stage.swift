/// One build stage: a `FROM` and the instructions up to the next `FROM`.
public struct Stage: Sendable, Hashable {
    /// The stage's position, 0-based (what `COPY --from=0` refers to).
    public var index: Int
    /// The `FROM` that starts it.
    public var from: FromInstruction
    /// The instructions after `FROM`, in order.
    public var instructions: [Instruction]
    /// Comment lines directly above the `FROM`.
    public var comments: [String]

    /// The stage's lower-case name, nil when unnamed.
    public var name: String? { from.stageName }
    /// From the `FROM` line to the stage's last instruction.
    public var range: SourceRange {
        SourceRange(start: from.range.start, end: instructions.last?.range.end ?? from.range.end)
    }
}
