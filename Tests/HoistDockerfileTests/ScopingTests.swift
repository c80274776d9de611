import HoistDockerfile
import Testing

/// ARG/ENV scoping: global args, build-arg overrides, predefined args, stage references.
@Suite struct ScopingTests {
    let arm = BuildArguments(
        values: ["VERSION": "3.20", "HTTP_PROXY": "http://proxy:3128", "UNUSED": "x"],
        targetPlatform: PlatformSpecifier("linux/arm64/v8")!, buildPlatform: PlatformSpecifier("linux/amd64")!)

    func evaluate(_ stage: Stage, _ global: GlobalScope) throws -> (StageScope, [Instruction]) {
        var scope = StageScope(global: global)
        let instructions = try stage.instructions.map { try scope.apply($0) }
        return (scope, instructions)
    }

    @Test func globalArgsOnlyInFromUntilRedeclared() throws {
        let dockerfile = try Dockerfile.parse(
            """
            ARG VERSION=3.19
            ARG IMAGE=alpine:${VERSION}
            ARG UNSET
            FROM --platform=$BUILDPLATFORM ${IMAGE} AS build
            RUN echo
            WORKDIR /v$VERSION
            ARG VERSION
            WORKDIR /v$VERSION
            ARG TARGETARCH
            ENV ARCH=$TARGETARCH
            FROM build
            WORKDIR /x$VERSION
            """)
        let global = try GlobalScope(dockerfile: dockerfile, arguments: arm)
        #expect(global.values["IMAGE"] == "alpine:3.20", "a later default sees the overridden VERSION")
        #expect(global.values["VERSION"] == "3.20")
        #expect(global.values["UNSET"] == nil && global.declaredNames.contains("UNSET"))
        let first = try global.resolveFrom(of: dockerfile.stages[0])
        #expect(first.base == .image("alpine:3.20"))
        #expect(first.platform == PlatformSpecifier("linux/amd64"))
        #expect(try global.resolveFrom(of: dockerfile.stages[1]).base == .stage(0))

        let (scope, instructions) = try evaluate(dockerfile.stages[0], global)
        guard case .workdir(let before) = instructions[1], case .workdir(let after) = instructions[3],
            case .env(let env) = instructions[5]
        else {
            Issue.record("types")
            return
        }
        #expect(before.path == "/v", "a global ARG is not visible in a stage before ARG")
        #expect(after.path == "/v3.20")
        #expect(env.pairs.first?.value == "arm64")
        #expect(scope.environment.map(\.name) == ["ARCH"])
        #expect(scope.undefinedReferences.map(\.name) == ["VERSION"])
        let (next, _) = try evaluate(dockerfile.stages[1], global)
        #expect(next.declaredArguments.isEmpty, "ARG does not leak into the next stage")
    }

    @Test func envWinsOverArgAndProxiesStayOutOfHistory() throws {
        let dockerfile = try Dockerfile.parse(
            """
            FROM scratch
            ENV MODE=env
            ARG MODE=arg
            ARG PLAIN="quoted value"
            ARG EMPTY=''
            ARG VERSION=1
            USER $MODE
            """)
        let global = try GlobalScope(dockerfile: dockerfile, arguments: arm)
        let (scope, instructions) = try evaluate(dockerfile.stages[0], global)
        guard case .user(let user) = instructions.last else {
            Issue.record("USER")
            return
        }
        #expect(user.user == "env")
        #expect(scope.value(of: "PLAIN") == "quoted value" && scope.value(of: "EMPTY") == "")
        #expect(scope.value(of: "VERSION") == "3.20", "a --build-arg overrides the default")
        #expect(scope.runEnvironment["HTTP_PROXY"] == "http://proxy:3128")
        #expect(scope.runEnvironment["MODE"] == "env")
        #expect(scope.historyArguments == ["MODE=arg", "PLAIN=quoted value", "EMPTY=", "VERSION=3.20"])
        #expect(global.unconsumedBuildArguments(stages: dockerfile.stages) == ["UNUSED"])
    }

    @Test func expansionPerInstruction() throws {
        let dockerfile = try Dockerfile.parse(
            """
            FROM scratch
            ENV PORTS="80 443/tcp" DIRS="/a /b" APP=/app NAME=web
            ENV A=1 B=$A
            EXPOSE $PORTS 8080
            VOLUME $DIRS
            COPY --chown=$NAME:$NAME --from=web src/$NAME $APP/
            ADD --chmod=755 ${APP}/x /y
            LABEL "$NAME.version"="${APP:+set}"
            STOPSIGNAL SIG$NAME
            RUN echo $APP
            COPY <<EOF <<'RAW' /etc/
            name "$NAME"
            EOF
            raw $NAME
            RAW
            VOLUME ["$DIRS"]
            """)
        let global = try GlobalScope(dockerfile: dockerfile, arguments: BuildArguments())
        let (_, instructions) = try evaluate(dockerfile.stages[0], global)
        guard case .env(let second) = instructions[1], case .expose(let expose) = instructions[2],
            case .volume(let volume) = instructions[3], case .copy(let copy) = instructions[4],
            case .add(let add) = instructions[5], case .label(let label) = instructions[6],
            case .stopSignal(let signal) = instructions[7], case .run(let run) = instructions[8],
            case .copy(let heredoc) = instructions[9]
        else {
            Issue.record("types")
            return
        }
        #expect(second.pairs.map(\.value) == ["1", ""], "pairs see the variables from before the instruction")
        #expect(expose.ports == ["80", "443/tcp", "8080"])
        #expect(volume.paths == ["/a", "/b"])
        guard case .volume(let jsonVolume) = instructions[10] else {
            Issue.record("JSON VOLUME")
            return
        }
        #expect(jsonVolume.paths == ["/a /b"])
        #expect(
            copy.chown == "web:web" && copy.from == "web" && copy.sources == ["src/web"] && copy.destination == "/app/")
        #expect(add.sources == ["/app/x"])
        #expect(label.pairs == [KeyValuePair(key: "web.version", value: "set")])
        #expect(signal.signal == "SIGweb")
        #expect(run.command == .shell("echo $APP"))
        #expect(heredoc.inlineSources.map(\.content) == ["name \"web\"\n", "raw $NAME\n"])
    }

    @Test func stageReferences() throws {
        let dockerfile = try Dockerfile.parse(
            """
            FROM alpine AS Base
            FROM base
            COPY --from=0 /a /a
            COPY --from=BASE /a /a
            COPY --from=busybox /bin/sh /sh
            COPY --from=5 /a /a
            COPY --from=later /a /a
            FROM scratch AS later
            """)
        let global = try GlobalScope(dockerfile: dockerfile, arguments: BuildArguments())
        let range = dockerfile.stages[1].instructions[0].range
        #expect(try global.resolveReference("0", at: range) == .stage(0))
        #expect(try global.resolveReference("BASE", at: range) == .stage(0))
        #expect(try global.resolveReference("busybox", at: range) == .image("busybox"))
        #expect(try global.resolveReference("later", at: range) == .stage(2), "--from may name a later stage")
        do {
            _ = try global.resolveReference("5", at: dockerfile.stages[1].instructions[3].range)
            Issue.record("index 5 must not resolve")
        } catch let error as DockerfileError {
            #expect(error.code == .notFound && error.line == 6 && error.message == "invalid stage index 5", "\(error)")
        }
        #expect(try global.resolveFrom(of: dockerfile.stages[1]).base == .stage(0))
        #expect(try global.resolveFrom(of: dockerfile.stages[2]).base == .scratch)
        #expect(throws: DockerfileError.self) { try global.checkStageDependencies() }
    }

    @Test(arguments: [
        ("FROM busybox AS stage0\nCOPY --from=stage0 f1 /sub/\n", "stage0", 2),
        (
            "FROM busybox AS stage0\nCOPY --from=stage2 f1 /sub/\nFROM busybox AS stage1\nCOPY --from=stage0 f2 /sub/\n"
                + "FROM busybox AS stage2\nCOPY --from=stage1 f2 /sub/\n", "stage0", 4
        ),
        ("FROM busybox\nRUN --mount=from=0,target=/x true\n", "stage-0", 2),
    ])
    func circularDependencies(_ text: String, _ stage: String, _ line: Int) throws {
        let dockerfile = try Dockerfile.parse(text)
        let global = try GlobalScope(dockerfile: dockerfile, arguments: BuildArguments())
        do {
            try global.checkStageDependencies()
            Issue.record("expected a cycle")
        } catch let error as DockerfileError {
            #expect(
                error.message == "circular dependency detected on stage: \(stage)" && error.line == line, "\(error)")
        }
    }

    @Test func onlyNeededStagesAreBuilt() throws {
        let dockerfile = try Dockerfile.parse(
            """
            FROM alpine AS base
            FROM base AS tools
            FROM alpine AS unused
            ARG ONLY_HERE
            FROM alpine AS assets
            FROM tools AS final
            COPY --from=assets /a /a
            """)
        let global = try GlobalScope(
            dockerfile: dockerfile, arguments: BuildArguments(values: ["ONLY_HERE": "1"]))
        let needed = try global.stagesNeeded(for: dockerfile.targetStage(nil))
        #expect(needed == [0, 1, 3, 4])
        #expect(global.unconsumedBuildArguments(stages: needed.map { dockerfile.stages[$0] }) == ["ONLY_HERE"])
        #expect(try global.stagesNeeded(for: dockerfile.targetStage("unused")) == [2])
    }

    @Test func acyclicDependencies() throws {
        let dockerfile = try Dockerfile.parse(
            "FROM alpine AS build\nFROM alpine\nCOPY --from=BUILD /a /a\nRUN --mount=type=cache,from=build,target=/c true\n"
        )
        let global = try GlobalScope(dockerfile: dockerfile, arguments: BuildArguments())
        try global.checkStageDependencies()
        #expect(try global.stageDependencies()[1]?.map(\.stage) == [0, 0])
    }

    @Test func badExpansionIsLocated() throws {
        let dockerfile = try Dockerfile.parse("FROM scratch\nWORKDIR ${X:?must be set}\n")
        let global = try GlobalScope(dockerfile: dockerfile, arguments: BuildArguments())
        var scope = StageScope(global: global)
        do {
            _ = try scope.apply(dockerfile.stages[0].instructions[0])
            Issue.record("expected an error")
        } catch let error as DockerfileError {
            #expect(error.line == 2 && error.message.contains("X: must be set"), "\(error)")
        }
        let blank = try Dockerfile.parse("ARG B\nFROM $B\n")
        #expect(throws: DockerfileError.self) {
            try GlobalScope(dockerfile: blank, arguments: BuildArguments()).resolveFrom(of: blank.stages[0])
        }
    }
}

/// Smaller pieces of the expansion layer.
@Suite struct ExpansionDetailTests {
    @Test func unterminatedQuoteIsLocated() throws {
        let dockerfile = try Dockerfile.parse("FROM scratch\nENV A=1\n  WORKDIR \"/a\n")
        var scope = StageScope(global: try GlobalScope(dockerfile: dockerfile, arguments: BuildArguments()))
        _ = try scope.apply(dockerfile.stages[0].instructions[0])
        do {
            _ = try scope.apply(dockerfile.stages[0].instructions[1])
            Issue.record("expected an error")
        } catch let error as DockerfileError {
            #expect(error.line == 3 && error.column == 3 && error.lineText == "  WORKDIR \"/a")
            #expect(error.message.contains("unexpected end of statement while looking for matching double-quote"))
        }
    }

    @Test func whichInstructionsExpand() throws {
        let dockerfile = try Dockerfile.parse(
            "FROM a\nRUN x\nCMD x\nENTRYPOINT x\nSHELL [\"x\"]\nHEALTHCHECK NONE\nONBUILD RUN x\nMAINTAINER m\n"
                + "ADD a b\nCOPY a b\nENV a=b\nEXPOSE 1\nLABEL a=b\nSTOPSIGNAL 1\nUSER u\nVOLUME v\nWORKDIR w\nARG a\n")
        let expanding = dockerfile.stages[0].instructions.filter(\.expandsVariables).map(\.keyword)
        #expect(
            expanding == ["ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR", "ARG"])
    }

    @Test func exposedPorts() throws {
        #expect(try ExposedPort.parse("80") == [ExposedPort(number: 80)])
        #expect(try ExposedPort.parse("53/UDP") == [ExposedPort(number: 53, transport: "udp")])
        #expect(try ExposedPort.parse("8000-8002/tcp").map(\.description) == ["8000/tcp", "8001/tcp", "8002/tcp"])
        #expect(try ExposedPort.parse("127.0.0.1:8080:80/tcp") == [ExposedPort(number: 80)])
        #expect(throws: ExposedPortError.self) { try ExposedPort.parse("80/http") }
        #expect(throws: ExposedPortError.self) { try ExposedPort.parse("http") }
        #expect(throws: ExposedPortError.self) { try ExposedPort.parse("90-80") }
    }

    @Test func platforms() {
        #expect(PlatformSpecifier("linux/arm64/v8")?.description == "linux/arm64/v8")
        #expect(PlatformSpecifier("Linux/AMD64")?.architecture == "amd64")
        #expect(PlatformSpecifier("linux") == nil && PlatformSpecifier("linux//x") == nil)
        let arguments = BuildArguments(
            targetPlatform: PlatformSpecifier("linux/arm/v7")!, buildPlatform: PlatformSpecifier("linux/amd64")!)
        #expect(arguments.platformValues["TARGETVARIANT"] == "v7" && arguments.platformValues["BUILDVARIANT"] == "")
        #expect(arguments.platformValues["BUILDPLATFORM"] == "linux/amd64")
    }
}
