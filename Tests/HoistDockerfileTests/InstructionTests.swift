import HoistDockerfile
import Testing

/// The typed instruction layer: every instruction, every flag, and the errors.
@Suite struct InstructionTests {
    func stage(_ body: String) throws -> [Instruction] {
        try Dockerfile.parse("FROM scratch\n" + body).stages[0].instructions
    }

    func failure(_ text: String) -> DockerfileError? {
        do {
            _ = try Dockerfile.parse(text)
            return nil
        } catch let error as DockerfileError {
            return error
        } catch {
            return nil
        }
    }

    @Test func fromWithPlatformAndName() throws {
        let dockerfile = try Dockerfile.parse(
            "ARG BASE=alpine\nFROM --platform=$BUILDPLATFORM ${BASE} AS Build\nFROM build\n")
        #expect(dockerfile.globalArgs.first?.declarations == [ArgDeclaration(name: "BASE", defaultValue: "alpine")])
        let from = dockerfile.stages[0].from
        #expect(from.image == "${BASE}" && from.stageName == "build" && from.stageNameAsWritten == "Build")
        #expect(from.platform == "$BUILDPLATFORM")
        #expect(dockerfile.stage(named: "BUILD")?.index == 0)
        #expect(dockerfile.stage(named: "0")?.index == 0)
        #expect(dockerfile.stage(named: "1", before: 1) == nil)
        #expect(try dockerfile.targetStage(nil).index == 1)
        #expect(throws: DockerfileError.self) { try dockerfile.targetStage("nope") }
    }

    @Test(arguments: [
        ("FROM a b", "FROM requires either one or three arguments"),
        ("FROM a AS 1x", "invalid name for build stage: \"1x\", name can't start with a number or contain symbols"),
        ("FROM --plat=x a", "unknown flag: --plat (did you mean platform?)"),
        ("RUN x", "no build stage in current context"),
    ])
    func fromErrors(_ text: String, _ message: String) {
        let error = failure(text + "\n")
        #expect(error?.message == message, "got \(String(describing: error))")
        #expect(error?.line == 1)
    }

    @Test func runFlagsAndMounts() throws {
        let instructions = try stage(
            """
            RUN --mount=type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0700,uid=1000,gid=1000 \\
                --mount=type=secret,id=token,required \\
                --mount=type=ssh \\
                --mount=type=tmpfs,target=/tmp,size=64m \\
                --mount=from=build,source=/out,target=/in,rw \\
                --network=none --security=insecure --device=vendor.com/gpu=all,required --device=name=/dev/fuse \\
                pip install x
            RUN ["echo", "hi"]
            RUN --mount=type=bind,target=$DIR echo
            """)
        guard case .run(let run) = instructions[0] else {
            Issue.record("not RUN")
            return
        }
        #expect(run.command == .shell("pip install x"))
        #expect(run.network == RunNetwork.none && run.security == .insecure)
        let mounts = try run.mounts()
        guard case .cache(let cache) = mounts[0] else {
            Issue.record("cache: \(mounts)")
            return
        }
        #expect(cache.target == "/root/.cache" && cache.effectiveID == "pip" && cache.sharing == .locked)
        #expect(!cache.readOnly && cache.mode == 0o700 && cache.uid == 1000 && cache.gid == 1000 && cache.from == nil)
        guard case .secret(let secret) = mounts[1], case .ssh(let ssh) = mounts[2], case .tmpfs(let tmpfs) = mounts[3],
            case .bind(let bind) = mounts[4]
        else {
            Issue.record("mount types: \(mounts)")
            return
        }
        #expect(secret.required && secret.effectiveID == "token" && secret.effectiveTarget == "/run/secrets/token")
        #expect(ssh.effectiveID == "default")
        #expect(tmpfs.size == Int64(67_108_864))
        #expect(bind.from == "build" && !bind.readOnly && bind.source == "/out")
        #expect(run.flagsUsed == ["mount", "network", "security", "device"])
        #expect(run.devices == [RunDevice(name: "vendor.com/gpu=all", required: true), RunDevice(name: "/dev/fuse")])
        guard case .run(let exec) = instructions[1] else {
            Issue.record("not RUN")
            return
        }
        #expect(exec.command == .exec(["echo", "hi"]))
        guard case .run(let deferred) = instructions[2] else {
            Issue.record("not RUN")
            return
        }
        let expanded = try deferred.mounts(expand: { $0 == "$DIR" ? "/src" : $0 })
        guard case .bind(let expandedBind)? = expanded.first else {
            Issue.record("bind: \(expanded)")
            return
        }
        #expect(expandedBind.target == "/src" && expandedBind.readOnly && expandedBind.from == nil)
    }

    @Test(arguments: [
        ("RUN --mount=type=nfs x", "unsupported mount type \"nfs\""),
        ("RUN --mount=type=bind,mode=0700 x", "mode not allowed for \"bind\" type mounts"),
        ("RUN --mount=type=cache,size=1 x", "unexpected key 'size' for mount type 'cache'"),
        ("RUN --mount=type=secret x", "invalid secret mount. one of source, target required"),
        ("RUN --mount=type=cache,sharing=all x", "unsupported sharing value \"all\""),
        ("RUN --mount=type=bind,foo=1 x", "unexpected key 'foo' in 'foo=1'"),
        ("RUN --mount=from=$X x", "'from' doesn't support variable expansion, define alias stage instead"),
        (
            "COPY --from=$X a b",
            "variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround"
        ),
        ("RUN --mount=type=cache,uid=x x", "invalid value x for uid"),
        ("RUN --network=bridge x", "invalid network mode \"bridge\""),
        ("RUN --security=root x", "security \"root\" is not valid"),
        ("RUN --device=a,b x", "invalid field 'b' must be a key=value pair"),
        ("RUN --device=name=a,name=b x", "device name already set to a"),
        ("RUN --device=a,foo=1 x", "unexpected key 'foo' in 'foo=1'"),
        ("RUN --mount=type=bind,src=a\\\"b x", "failed to parse csv mounts: bare \" in non-quoted-field"),
        ("RUN --mount x", "missing a value on flag: mount"),
        ("RUN", "RUN requires at least one argument"),
        ("CMD --doit [\"a\"]", "unknown flag: --doit"),
        ("SHELL /bin/sh -c", "SHELL requires the arguments to be in JSON form"),
        ("ENV", "ENV requires at least one argument"),
        ("LABEL =x", "LABEL names can not be blank"),
        (
            "COPY a",
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined"
        ),
        ("COPY --link=maybe a b", "expecting boolean value for flag link, not: maybe"),
        ("COPY --link= a b", "missing a value on flag: link"),
        ("COPY --from=a --from=b x y", "duplicate flag specified: from"),
        ("ADD --unknown a b", "unknown flag: --unknown"),
        ("EXPOSE", "EXPOSE requires at least one argument"),
        ("VOLUME [\" \"]", "VOLUME specified can not be an empty string"),
        ("USER", "USER requires exactly one argument"),
        ("WORKDIR", "WORKDIR requires exactly one argument"),
        ("STOPSIGNAL", "STOPSIGNAL requires exactly one argument"),
        ("ONBUILD ONBUILD RUN x", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        ("ONBUILD FROM x", "FROM isn't allowed as an ONBUILD trigger"),
        ("ONBUILD", "ONBUILD requires at least one argument"),
        ("HEALTHCHECK NONE x", "HEALTHCHECK NONE takes no arguments"),
        ("HEALTHCHECK CONNECT x", "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)"),
        ("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"),
        ("HEALTHCHECK --interval=10 CMD x", "time: invalid duration \"10\""),
        ("HEALTHCHECK --timeout=10us CMD x", "Interval \"timeout\" cannot be less than 1ms"),
        ("HEALTHCHECK --retries=-1 CMD x", "--retries cannot be negative (-1)"),
        ("FOO bar", "unknown instruction: FOO"),
        ("RUNN x", "unknown instruction: RUNN (did you mean RUN?)"),
    ])
    func instructionErrors(_ line: String, _ message: String) {
        let error = failure("FROM scratch\n" + line + "\n")
        #expect(error?.message == message, "got \(String(describing: error))")
        #expect(error?.line == 2 && error?.lineText == line)
        #expect(error?.code == .invalidArgument)
    }

    @Test func errorDescriptionShowsTheLine() {
        let error = failure("FROM a\n\n  FOO bar\n")
        #expect(error?.description == "Dockerfile:3:3: unknown instruction: FOO\n      FOO bar\n      ^")
    }

    @Test func flagErrorsPointAtTheFlag() {
        let error = failure("FROM a\n\tCOPY --link --chmod=1 --form=x a b\n")
        #expect(
            error?.column == 24 && error?.message == "unknown flag: --form (did you mean from?)",
            "\(String(describing: error))")
        #expect(
            error?.description
                == "Dockerfile:2:24: unknown flag: --form (did you mean from?)\n    \tCOPY --link --chmod=1 --form=x a b\n    \t"
                + String(repeating: " ", count: 22) + "^")
    }

    @Test func copyAndAddFlags() throws {
        let instructions = try stage(
            """
            COPY --from=build --chown=app:app --chmod=0644 --link --parents --exclude=*.md --exclude=tmp a b /dst/
            COPY ["with space", "/d"]
            COPY <<EOF <<-"RAW" /etc/
            hello $X
            EOF
            \traw
            \tRAW
            ADD --chown=1 --chmod=755 --link --checksum=sha256:abcd --keep-git-dir --unpack=false --exclude=x https://e/a.tgz /a
            """)
        guard case .copy(let copy) = instructions[0], case .copy(let json) = instructions[1],
            case .copy(let inline) = instructions[2], case .add(let add) = instructions[3]
        else {
            Issue.record("types: \(instructions)")
            return
        }
        #expect(copy.from == "build" && copy.chown == "app:app" && copy.chmod == "0644" && copy.link && copy.parents)
        #expect(copy.excludes == ["*.md", "tmp"] && copy.sources == ["a", "b"] && copy.destination == "/dst/")
        #expect(json.sources == ["with space"] && json.isJSON)
        #expect(inline.sources.isEmpty && inline.destination == "/etc/")
        #expect(
            inline.inlineSources == [
                InlineSource(name: "EOF", content: "hello $X\n", expands: true),
                InlineSource(name: "RAW", content: "raw\n", expands: false),
            ])
        #expect(add.chown == "1" && add.chmod == "755" && add.link && add.checksum == "sha256:abcd")
        #expect(add.keepGitDirectory && add.unpack == false && add.excludes == ["x"])
    }

    @Test func commandsAndKeyValues() throws {
        let instructions = try stage(
            """
            CMD ["a", "b"]
            CMD a b
            ENTRYPOINT []
            SHELL ["/bin/bash", "-c"]
            ENV A=1 B="two words"
            ENV C three words
            LABEL "com.example"="x" y=z
            ARG X Y=1 Z="q q"
            EXPOSE 80 443/tcp
            VOLUME /a /b
            VOLUME ["/c"]
            USER app:app
            WORKDIR /src
            STOPSIGNAL SIGTERM
            MAINTAINER me <me@example.com>
            ONBUILD RUN make
            """)
        #expect(
            instructions.map(\.keyword) == [
                "CMD", "CMD", "ENTRYPOINT", "SHELL", "ENV", "ENV", "LABEL", "ARG", "EXPOSE", "VOLUME", "VOLUME", "USER",
                "WORKDIR", "STOPSIGNAL", "MAINTAINER", "ONBUILD",
            ])
        guard case .cmd(let exec) = instructions[0], case .cmd(let shell) = instructions[1],
            case .entrypoint(let entrypoint) = instructions[2]
        else {
            Issue.record("types")
            return
        }
        #expect(exec.command == .exec(["a", "b"]) && shell.command == .shell("a b") && entrypoint.command == .exec([]))
        guard case .env(let env) = instructions[4], case .env(let legacy) = instructions[5],
            case .label(let label) = instructions[6], case .arg(let arg) = instructions[7],
            case .volume(let volume) = instructions[10], case .onbuild(let onbuild) = instructions[15],
            case .expose(let expose) = instructions[8]
        else {
            Issue.record("types")
            return
        }
        #expect(env.pairs == [KeyValuePair(key: "A", value: "1"), KeyValuePair(key: "B", value: "\"two words\"")])
        #expect(legacy.pairs == [KeyValuePair(key: "C", value: "three words", usesEquals: false)])
        #expect(label.pairs.map(\.key) == ["\"com.example\"", "y"])
        #expect(
            arg.declarations.map(\.name) == ["X", "Y", "Z"]
                && arg.declarations.map(\.defaultValue) == [nil, "1", "\"q q\""])
        #expect(volume.paths == ["/c"])
        #expect(expose.ports == ["443/tcp", "80"], "Docker sorts EXPOSE ports")
        #expect(onbuild.expression == "RUN make")
        #expect(onbuild.trigger.keyword == "RUN")
        #expect(instructions[15].range.start.line == 17)
    }

    @Test func healthcheck() throws {
        let instructions = try stage(
            """
            HEALTHCHECK --interval=30s --timeout=1m30s --start-period=0s --start-interval=500ms --retries=3 CMD curl -f http://x/
            HEALTHCHECK CMD ["/check"]
            HEALTHCHECK NONE
            """)
        guard case .healthcheck(let first) = instructions[0], case .healthcheck(let second) = instructions[1],
            case .healthcheck(let none) = instructions[2]
        else {
            Issue.record("types")
            return
        }
        #expect(first.check?.interval == 30_000_000_000 && first.check?.timeout == 90_000_000_000)
        #expect(first.check?.startPeriod == 0 && first.check?.startInterval == 500_000_000 && first.check?.retries == 3)
        #expect(first.check?.test == ["CMD-SHELL", "curl -f http://x/"])
        #expect(second.check?.test == ["CMD", "/check"])
        #expect(none.check == nil)
    }

    @Test func globalArgsAndComments() throws {
        let dockerfile = try Dockerfile.parse(
            "# VERSION the version\nARG VERSION=1\n# the build\nFROM a:$VERSION\nARG VERSION\n")
        #expect(dockerfile.globalArgs[0].declarations[0].comment == "the version")
        #expect(dockerfile.stages[0].comments == ["the build"])
        guard case .arg = dockerfile.stages[0].instructions.first else {
            Issue.record("ARG in stage")
            return
        }
    }
}
