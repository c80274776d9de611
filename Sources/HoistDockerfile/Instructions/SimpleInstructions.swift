/// `EXPOSE port[/proto] …`.
public struct ExposeInstruction: Sendable, Hashable {
    /// The port specifications, unexpanded (`80`, `8080/tcp`, `53/udp`, `7000-7010`).
    public var ports: [String]
    /// Where the instruction is.
    public var range: SourceRange
}

/// `VOLUME path …` or `VOLUME ["path", …]`.
public struct VolumeInstruction: Sendable, Hashable {
    /// The mount points, unexpanded.
    public var paths: [String]
    /// Where the instruction is.
    public var range: SourceRange
}

/// `USER user[:group]`.
public struct UserInstruction: Sendable, Hashable {
    /// The user (and group), unexpanded.
    public var user: String
    /// Where the instruction is.
    public var range: SourceRange
}

/// `WORKDIR path`.
public struct WorkdirInstruction: Sendable, Hashable {
    /// The directory, unexpanded; relative paths resolve against the previous WORKDIR.
    public var path: String
    /// Where the instruction is.
    public var range: SourceRange
}

/// `STOPSIGNAL signal`.
public struct StopSignalInstruction: Sendable, Hashable {
    /// The signal name or number, unexpanded.
    public var signal: String
    /// Where the instruction is.
    public var range: SourceRange
}

/// `MAINTAINER name` (deprecated in favour of a label).
public struct MaintainerInstruction: Sendable, Hashable {
    /// The maintainer text.
    public var maintainer: String
    /// Where the instruction is.
    public var range: SourceRange
}

/// `ONBUILD instruction`: a trigger stored in the image and run by builds that use it.
public struct OnbuildInstruction: Sendable, Hashable {
    /// The trigger's text as stored in the image config (heredoc bodies appended).
    public var expression: String
    /// The trigger, checked and typed.
    public var trigger: Instruction
    /// Where the instruction is.
    public var range: SourceRange
}
