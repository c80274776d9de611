import HoistDockerfile
import Testing

/// Build checks, as `docker build --check` reports them.
@Suite struct BuildCheckTests {
    func warnings(_ text: String, arguments: BuildArguments = BuildArguments()) throws -> [BuildCheckWarning] {
        try BuildChecker(arguments: arguments).check(Dockerfile.parse(text)).warnings
    }

    @Test func cleanDockerfileHasNoWarnings() throws {
        let found = try warnings(
            """
            ARG BASE=alpine
            FROM ${BASE} AS build
            WORKDIR /src
            ENV PATH=/x
            CMD ["run"]
            """)
        #expect(found.isEmpty, "\(found)")
    }

    @Test(arguments: [
        (
            "FROM a\nCMD run", BuildCheckRule.jsonArgsRecommended, 2,
            "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals"
        ),
        (
            "FROM a\nENTRYPOINT run", .jsonArgsRecommended, 2,
            "JSON arguments recommended for ENTRYPOINT to prevent unintended behavior related to OS signals"
        ),
        ("FROM a AS Build", .stageNameCasing, 1, "Stage name 'Build' should be lowercase"),
        ("FROM a as b", .fromAsCasing, 1, "'as' and 'FROM' keywords' casing do not match"),
        ("from a AS b", .fromAsCasing, 1, "'AS' and 'from' keywords' casing do not match"),
        ("FROM $NOPE", .undefinedArgInFrom, 1, "FROM argument 'NOPE' is not declared"),
        (
            "ARG VERSION=1\nFROM a:$VERSIN", .undefinedArgInFrom, 2,
            "FROM argument 'VERSIN' is not declared (did you mean VERSION?)"
        ),
        (
            "FROM a AS b\nFROM c AS b", .duplicateStageName, 2,
            "Duplicate stage name \"b\", stage names should be unique"
        ),
        (
            "FROM a AS scratch", .reservedStageName, 1,
            "Stage name should not use the same name as reserved stage \"scratch\""
        ),
        (
            "FROM a\nCMD [\"a\"]\nCMD [\"b\"]", .multipleInstructionsDisallowed, 2,
            "Multiple CMD instructions should not be used in the same stage because only the last one will be used"
        ),
        (
            "FROM a\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]", .multipleInstructionsDisallowed, 2,
            "Multiple ENTRYPOINT instructions should not be used in the same stage because only the last one will be used"
        ),
        (
            "FROM a\nMAINTAINER me", .maintainerDeprecated, 2,
            "Maintainer instruction is deprecated in favor of using label"
        ),
        (
            "FROM a\nARG GITHUB_TOKEN", .secretsUsedInArgOrEnv, 2,
            "Do not use ARG or ENV instructions for sensitive data (ARG \"GITHUB_TOKEN\")"
        ),
        (
            "ARG DB_PASSWORD=x\nFROM a", .secretsUsedInArgOrEnv, 1,
            "Do not use ARG or ENV instructions for sensitive data (ARG \"DB_PASSWORD\")"
        ),
        (
            "FROM a\nENV aws_secret_key=1", .secretsUsedInArgOrEnv, 2,
            "Do not use ARG or ENV instructions for sensitive data (ENV \"aws_secret_key\")"
        ),
        ("FROM a\nRUN a \\\n\n b", .noEmptyContinuation, 4, "Empty continuation line"),  // at the instruction's last line, as BuildKit
        (
            "FROM a\nrun x", .consistentInstructionCasing, 2,
            "Command 'run' should match the case of the command majority (uppercase)"
        ),
        (
            "FROM a\nWORKDIR app", .workdirRelativePath, 2,
            "Relative workdir \"app\" can have unexpected results if the base image changes"
        ),
        (
            "FROM a\nENV k v", .legacyKeyValueFormat, 2,
            "\"ENV key=value\" should be used instead of legacy \"ENV key value\" format"
        ),
        (
            "FROM --platform=$TARGETPLATFORM a", .redundantTargetPlatform, 1,
            "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"
        ),
        (
            "FROM --platform=linux/amd64 a", .fromPlatformFlagConstDisallowed, 1,
            "FROM --platform flag should not use constant value \"linux/amd64\""
        ),
        (
            "FROM a\nEXPOSE 80/TCP", .exposeProtoCasing, 2,
            "Defined protocol '80/TCP' in EXPOSE instruction should be lowercase"
        ),
        (
            "FROM a\nEXPOSE 8080:80", .exposeInvalidFormat, 2,
            "EXPOSE instruction should not define an IP address or host-port mapping, found '8080:80'"
        ),
        (
            "ARG B\nFROM $B", .invalidDefaultArgInFrom, 2,
            "Default value for ARG $B results in empty or invalid base image name"
        ),
    ])
    func rule(_ text: String, _ rule: BuildCheckRule, _ line: Int, _ message: String) throws {
        let found = try warnings(text + "\n")
        let matching = found.filter { $0.rule == rule }
        #expect(matching.count == 1, "\(rule.rawValue) in \(found)")
        #expect(matching.first?.message == message)
        #expect(matching.first?.range.start.line == line)
    }

    @Test func customShellMakesShellFormDeliberate() throws {
        let found = try warnings(
            "FROM a AS base\nSHELL [\"/bin/bash\", \"-c\"]\nCMD run\nFROM base\nENTRYPOINT run\nFROM a\nCMD run\n")
        #expect(found.filter { $0.rule == .jsonArgsRecommended }.map(\.range.start.line) == [7])
    }

    @Test func secretsDetectionIsWordBased() throws {
        // BuildKit's allowed words (public, file, version) clear a name.
        let found = try warnings("FROM a\nARG PUBLIC_KEY\nARG MONKEY=1\nARG KEYBOARD\nENV PASSWORD_FILE=/x\nENV DB_PASSWORD=x\n")
        #expect(
            found.map(\.message) == ["Do not use ARG or ENV instructions for sensitive data (ENV \"DB_PASSWORD\")"])
    }

    @Test func checkDirective() throws {
        let skipped = try BuildChecker().check(
            Dockerfile.parse(
                "# check=skip=JSONArgsRecommended,MaintainerDeprecated;error=true\nFROM a AS B\nCMD x\nMAINTAINER m\n"))
        #expect(skipped.warnings.map(\.rule) == [.stageNameCasing])
        #expect(skipped.failsBuild)
        let all = try BuildChecker().check(Dockerfile.parse("# check=skip=all\nFROM a AS B\n"))
        #expect(all.warnings.isEmpty && !all.failsBuild)
        #expect(throws: DockerfileError.self) {
            try BuildChecker().check(Dockerfile.parse("# check=bogus\nFROM a\n"))
        }
        let explicit = BuildChecker(configuration: BuildCheckConfiguration())
        #expect(try explicit.check(Dockerfile.parse("# check=skip=all\nFROM a AS B\n")).warnings.count == 1)
    }

    @Test func undefinedVariables() throws {
        let text = """
            FROM scratch AS base
            ENV APP=/app
            ARG DECLARED
            WORKDIR $APP/$DECLARED
            COPY ${MISSING:-x} $APPP/
            FROM base
            USER $APP
            FROM alpine
            WORKDIR $HOME/$NOWHERE
            """
        let found = try warnings(text).filter { $0.rule == .undefinedVar }
        #expect(found.map(\.message) == ["Usage of undefined variable '$APPP' (did you mean $APP?)"])
        #expect(found.map(\.range.start.line) == [5])
        let withImage = try BuildChecker(baseImageEnvironment: { $0 == "alpine" ? [("HOME", "/root")] : nil })
            .check(Dockerfile.parse(text)).warnings.filter { $0.rule == .undefinedVar }
        #expect(
            withImage.map(\.message) == [
                "Usage of undefined variable '$APPP' (did you mean $APP?)", "Usage of undefined variable '$NOWHERE'",
            ])
    }

    @Test func undefinedVariableInHeredocBody() throws {
        let found = try warnings("FROM scratch\nENV A=1\nCOPY <<EOF <<'RAW' /x\n$A $B\nEOF\n$C\nRAW\n")
            .filter { $0.rule == .undefinedVar }
        #expect(found.map(\.message) == ["Usage of undefined variable '$B'"])
    }

    @Test func copyOfIgnoredFiles() throws {
        let matcher = try DockerIgnoreMatcher(patterns: ["*.log", "secrets/"])
        let text = """
            FROM alpine AS build
            ENV DIR=secrets
            COPY app.log src/ /app/
            ADD $DIR/key https://example.com/x.log /k
            FROM alpine
            COPY --from=build app.log /x
            """
        let found = try BuildChecker(ignoreMatcher: matcher).check(Dockerfile.parse(text)).warnings
            .filter { $0.rule == .copyIgnoredFile }
        #expect(
            found.map(\.message) == [
                "Attempting to Copy file \"app.log\" that is excluded by .dockerignore",
                "Attempting to Add file \"secrets/key\" that is excluded by .dockerignore",
            ])
        #expect(found.map(\.range.start.line) == [3, 4])
        // With an exception (`!keep.log`) BuildKit does not guess what a source holds: no check.
        let withException = try BuildChecker(ignoreMatcher: try DockerIgnoreMatcher(patterns: ["*.log", "!keep.log"]))
            .check(Dockerfile.parse(text)).warnings.filter { $0.rule == .copyIgnoredFile }
        #expect(withException.isEmpty)
    }

    @Test func documentationLinks() {
        #expect(
            BuildCheckRule.jsonArgsRecommended.documentationURL
                == "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/")
        #expect(
            BuildCheckRule.fromAsCasing.documentationURL == "https://docs.docker.com/go/dockerfile/rule/from-as-casing/"
        )
    }
}
