/// `ONBUILD instruction`: a trigger stored in the image and run by builds that use it.
public struct OnbuildInstruction: Sendable, Hashable {
    /// The trigger's text as stored in the image config (heredoc bodies appended).
    public var expression: String
    /// The trigger, checked and typed.
    public var trigger: Instruction
    /// Where the instruction is.
    public var range: SourceRange
}
