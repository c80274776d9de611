/// One typed Dockerfile instruction, flags parsed and checked, values not yet expanded.
public indirect enum Instruction: Sendable, Hashable {
    case from(FromInstruction)
    case run(RunInstruction)
    case cmd(CmdInstruction)
    case label(LabelInstruction)
    case expose(ExposeInstruction)
    case env(EnvInstruction)
    case add(AddInstruction)
    case copy(CopyInstruction)
    case entrypoint(EntrypointInstruction)
    case volume(VolumeInstruction)
    case user(UserInstruction)
    case workdir(WorkdirInstruction)
    case arg(ArgInstruction)
    case onbuild(OnbuildInstruction)
    case stopSignal(StopSignalInstruction)
    case healthcheck(HealthcheckInstruction)
    case shell(ShellInstruction)
    case maintainer(MaintainerInstruction)

    /// The keyword in upper case (`RUN`, `STOPSIGNAL`).
    public var keyword: String {
        switch self {
        case .from: "FROM"
        case .run: "RUN"
        case .cmd: "CMD"
        case .label: "LABEL"
        case .expose: "EXPOSE"
        case .env: "ENV"
        case .add: "ADD"
        case .copy: "COPY"
        case .entrypoint: "ENTRYPOINT"
        case .volume: "VOLUME"
        case .user: "USER"
        case .workdir: "WORKDIR"
        case .arg: "ARG"
        case .onbuild: "ONBUILD"
        case .stopSignal: "STOPSIGNAL"
        case .healthcheck: "HEALTHCHECK"
        case .shell: "SHELL"
        case .maintainer: "MAINTAINER"
        }
    }

    /// Where the instruction is.
    public var range: SourceRange {
        switch self {
        case .from(let value): value.range
        case .run(let value): value.range
        case .cmd(let value): value.range
        case .label(let value): value.range
        case .expose(let value): value.range
        case .env(let value): value.range
        case .add(let value): value.range
        case .copy(let value): value.range
        case .entrypoint(let value): value.range
        case .volume(let value): value.range
        case .user(let value): value.range
        case .workdir(let value): value.range
        case .arg(let value): value.range
        case .onbuild(let value): value.range
        case .stopSignal(let value): value.range
        case .healthcheck(let value): value.range
        case .shell(let value): value.range
        case .maintainer(let value): value.range
        }
    }

    /// Every keyword BuildKit knows, lower case.
    public static let keywords: [String] = [
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label", "maintainer",
        "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
    ]
}
