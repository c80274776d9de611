/// `EXPOSE port[/proto] …`.
public struct ExposeInstruction: Sendable, Hashable {
    /// The port specifications, unexpanded (`80`, `8080/tcp`, `53/udp`, `7000-7010`).
    public var ports: [String]
    /// Where the instruction is.
    public var range: SourceRange
}
