/// One typed Dockerfile instruction, flags parsed and checked, values not yet expanded.
public indirect enum Instruction: Sendable, Hashable {
    /// `FROM`: starts a stage.
    case from(FromInstruction)
    /// `RUN`: runs a command in a new layer.
    case run(RunInstruction)
    /// `CMD`: the default command.
    case cmd(CmdInstruction)
    /// `LABEL`: image metadata.
    case label(LabelInstruction)
    /// `EXPOSE`: ports the container listens on.
    case expose(ExposeInstruction)
    /// `ENV`: environment variables stored in the image.
    case env(EnvInstruction)
    /// `ADD`: copies local files, URLs, git repositories; unpacks archives.
    case add(AddInstruction)
    /// `COPY`: copies files from the context, a stage or an image.
    case copy(CopyInstruction)
    /// `ENTRYPOINT`: the executable the container runs.
    case entrypoint(EntrypointInstruction)
    /// `VOLUME`: mount points.
    case volume(VolumeInstruction)
    /// `USER`: the user later steps and the container run as.
    case user(UserInstruction)
    /// `WORKDIR`: the working directory.
    case workdir(WorkdirInstruction)
    /// `ARG`: build arguments.
    case arg(ArgInstruction)
    /// `ONBUILD`: a trigger for builds based on this image.
    case onbuild(OnbuildInstruction)
    /// `STOPSIGNAL`: the signal that stops the container.
    case stopSignal(StopSignalInstruction)
    /// `HEALTHCHECK`: how to test the container is healthy.
    case healthcheck(HealthcheckInstruction)
    /// `SHELL`: the shell for shell-form commands.
    case shell(ShellInstruction)
    /// `MAINTAINER`: deprecated author field.
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

    /// Whether Docker expands `$VARIABLES` in the instruction's words at build time (`ADD`,
    /// `COPY`, `ENV`, `EXPOSE`, `FROM`, `LABEL`, `STOPSIGNAL`, `USER`, `VOLUME`, `WORKDIR`,
    /// `ARG`). `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `HEALTHCHECK`, `ONBUILD` and `MAINTAINER`
    /// keep them for the shell or the later build.
    public var expandsVariables: Bool {
        switch self {
        case .add, .copy, .env, .expose, .from, .label, .stopSignal, .user, .volume, .workdir, .arg: true
        case .run, .cmd, .entrypoint, .shell, .healthcheck, .onbuild, .maintainer: false
        }
    }

    /// Every keyword BuildKit knows, lower case.
    public static let keywords: [String] = [
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label", "maintainer",
        "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
    ]
}
