import HoistOCI

/// Runs the build checks (`docker build --check`) over a parsed Dockerfile and reports
/// located warnings. The `# check=` directive chooses rules and whether warnings are errors.
public struct BuildChecker: Sendable {
    /// The rules to run and how to treat findings.
    public var configuration: BuildCheckConfiguration
    /// The arguments used to expand `FROM` lines.
    public var arguments: BuildArguments

    /// The environment of a base image, by reference, for the `UndefinedVar` check; nil when
    /// unknown, which skips that check for stages built on the image.
    public var baseImageEnvironment: @Sendable (String) -> [(name: String, value: String)]?

    /// The build's `.dockerignore`, for the `CopyIgnoredFile` check; nil skips it.
    public var ignoreMatcher: DockerIgnoreMatcher?

    /// Creates a checker; without a configuration the Dockerfile's `# check=` directive
    /// applies.
    public init(
        configuration: BuildCheckConfiguration? = nil, arguments: BuildArguments = BuildArguments(),
        ignoreMatcher: DockerIgnoreMatcher? = nil,
        baseImageEnvironment: @escaping @Sendable (String) -> [(name: String, value: String)]? = { _ in nil }
    ) {
        self.configuration = configuration ?? BuildCheckConfiguration()
        self.arguments = arguments
        self.ignoreMatcher = ignoreMatcher
        self.baseImageEnvironment = baseImageEnvironment
        self.usesDirective = configuration == nil
    }

    private let usesDirective: Bool

    /// The result of checking one Dockerfile.
    public struct Report: Sendable, Hashable {
        /// The findings in file order.
        public var warnings: [BuildCheckWarning]
        /// Whether the build must fail (`error=true` and at least one warning).
        public var failsBuild: Bool
    }

    /// Checks `dockerfile`.
    /// - Throws: ``DockerfileError`` for a malformed `# check=` directive.
    public func check(_ dockerfile: Dockerfile) throws -> Report {
        var configuration = self.configuration
        // The BUILDKIT_DOCKERFILE_CHECK build argument replaces the directive, as in BuildKit.
        if usesDirective, let argument = arguments.values["BUILDKIT_DOCKERFILE_CHECK"] {
            configuration = try BuildCheckConfiguration(directive: argument)
        } else if usesDirective, let directive = dockerfile.syntax.directives.check {
            do {
                configuration = try BuildCheckConfiguration(directive: directive)
            } catch let error as DockerfileError {
                let line = dockerfile.syntax.directives.all.first { $0.name == "check" }?.line ?? 0
                throw DockerfileError(
                    fileName: dockerfile.syntax.fileName, line: line, message: error.message,
                    lineText: dockerfile.syntax.lineText(line))
            }
        }
        var warnings: [BuildCheckWarning] = []
        // A `# check=` comment above an instruction applies to what is found there.
        var comments: [Int: [String]] = [:]
        for node in dockerfile.syntax.nodes { comments[node.range.start.line] = node.comments }
        func report(_ rule: BuildCheckRule, _ message: String, _ range: SourceRange) {
            if configuration.merging(comments: comments[range.start.line] ?? []).isEnabled(rule) {
                warnings.append(BuildCheckWarning(rule: rule, message: message, range: range))
            }
        }
        for warning in dockerfile.syntax.warnings where warning.rule == "EmptyContinuationLine" {
            report(.noEmptyContinuation, "Empty continuation line", warning.range)
        }
        checkDescriptions(dockerfile, report)
        checkCasing(dockerfile, report)
        checkStages(dockerfile, report)
        for arg in dockerfile.globalArgs { checkSecrets("ARG", arg.declarations.map(\.name), arg.range, report) }
        // A custom SHELL (here or in a parent stage) makes shell form deliberate.
        let global = try? GlobalScope(dockerfile: dockerfile, arguments: arguments)
        // A stage goes on from its base stage's SHELL and absolute WORKDIR.
        var ends: [Int: StageEnd] = [:]
        for stage in dockerfile.stages {
            var start = StageEnd()
            if case .stage(let parent)? = try? global?.resolveFrom(of: stage).base { start = ends[parent] ?? start }
            ends[stage.index] = checkInstructions(in: stage, from: start, report)
        }
        if configuration.isEnabled(.undefinedVar) { checkUndefinedVariables(dockerfile, report) }
        if configuration.isEnabled(.copyIgnoredFile), let ignoreMatcher {
            checkIgnoredSources(dockerfile, ignoreMatcher, report)
        }
        // As BuildKit lists them: by line, then by text.
        warnings.sort { ($0.range.start.line, $0.message) < ($1.range.start.line, $1.message) }
        return Report(warnings: warnings, failsBuild: configuration.warningsAreErrors && !warnings.isEmpty)
    }

    private typealias Reporter = (BuildCheckRule, String, SourceRange) -> Void

    private func checkCasing(_ dockerfile: Dockerfile, _ report: Reporter) {
        let keywords = dockerfile.syntax.nodes.map(\.keyword)
        let lower = keywords.filter { $0 == $0.lowercased() }.count
        let upper = keywords.filter { $0 == $0.uppercased() }.count
        let majorityIsLower = lower > upper
        for node in dockerfile.syntax.nodes {
            let consistent =
                majorityIsLower ? node.keyword == node.keyword.lowercased() : node.keyword == node.keyword.uppercased()
            if !consistent {
                report(
                    .consistentInstructionCasing,
                    "Command '\(node.keyword)' should match the case of the command majority (\(majorityIsLower ? "lowercase" : "uppercase"))",
                    node.range)
            }
        }
    }

    private func checkStages(_ dockerfile: Dockerfile, _ report: Reporter) {
        var seen: Set<String> = []
        let global = try? GlobalScope(dockerfile: dockerfile, arguments: arguments)
        var defaultArguments = arguments
        defaultArguments.values = [:]
        let defaults = try? GlobalScope(dockerfile: dockerfile, arguments: defaultArguments)
        for stage in dockerfile.stages {
            let from = stage.from
            if let written = from.stageNameAsWritten {
                if written != written.lowercased() {
                    report(.stageNameCasing, "Stage name '\(written)' should be lowercase", from.range)
                }
                if let name = from.stageName {
                    if !seen.insert(name).inserted {
                        report(
                            .duplicateStageName, "Duplicate stage name \"\(name)\", stage names should be unique",
                            from.range)
                    }
                    if name == "scratch" || name == "context" {
                        report(
                            .reservedStageName, "Stage name should not use the same name as reserved stage \"\(name)\"",
                            from.range)
                    }
                }
            }
            if let keyword = dockerfile.syntax.nodes.first(where: { $0.range == from.range })?.keyword,
                let asKeyword = from.asKeyword
            {
                let fromUpper = keyword == keyword.uppercased()
                let asUpper = asKeyword == asKeyword.uppercased()
                let fromLower = keyword == keyword.lowercased()
                let asLower = asKeyword == asKeyword.lowercased()
                if (fromUpper && !asUpper) || (fromLower && !asLower) {
                    report(.fromAsCasing, "'\(asKeyword)' and '\(keyword)' keywords' casing do not match", from.range)
                }
            }
            if let platform = from.platform {
                if platform == "$TARGETPLATFORM" || platform == "${TARGETPLATFORM}" {
                    report(
                        .redundantTargetPlatform,
                        "Setting platform to predefined \(platform) in FROM is redundant as this is the default behavior",
                        from.range)
                } else if !platform.contains("$"), let parsed = PlatformSpecifier(platform),
                          // A stage named for its platform (`my_amd64_stage`) means it.
                          !(from.stageNameAsWritten ?? "").contains(parsed.os),
                          !(from.stageNameAsWritten ?? "").contains(parsed.architecture)
                {
                    report(
                        .fromPlatformFlagConstDisallowed,
                        "FROM --platform flag should not use constant value \"\(platform)\"", from.range)
                }
            }
            guard let global else { continue }
            let undefined = global.undefinedVariables(in: stage)
            for name in undefined {
                let known = Array(global.declaredNames) + Array(arguments.platformValues.keys)
                let hint = suggestion(for: name, among: known.sorted()).map { " (did you mean \($0)?)" } ?? ""
                report(.undefinedArgInFrom, "FROM argument '\(name)' is not declared\(hint)", from.range)
            }
            // With the defaults alone (no build arguments), as BuildKit checks it.
            if from.image.contains("$"), let defaults, !Self.namesAnImage(from.image, in: defaults) {
                report(
                    .invalidDefaultArgInFrom,
                    "Default value for ARG \(from.image) results in empty or invalid base image name", from.range)
            }
        }
    }

    /// What a stage passes on to the stages based on it.
    private struct StageEnd {
        /// A custom SHELL makes shell form deliberate.
        var hasShell = false
        /// An absolute WORKDIR makes relative ones safe.
        var hasAbsoluteWorkdir = false
    }

    /// Checks a stage's instructions; returns how it ends.
    private func checkInstructions(in stage: Stage, from start: StageEnd, _ report: Reporter) -> StageEnd {
        var hasShell = start.hasShell
        var lastOfKind: [String: SourceRange] = [:]
        var hasAbsoluteWorkdir = start.hasAbsoluteWorkdir
        for instruction in stage.instructions {
            switch instruction {
            case .shell:
                hasShell = true
            case .cmd(let cmd):
                if cmd.command.isShellForm, !hasShell { report(.jsonArgsRecommended, jsonMessage("CMD"), cmd.range) }
            case .entrypoint(let entrypoint):
                if entrypoint.command.isShellForm, !hasShell {
                    report(.jsonArgsRecommended, jsonMessage("ENTRYPOINT"), entrypoint.range)
                }
            case .maintainer(let maintainer):
                report(
                    .maintainerDeprecated, "Maintainer instruction is deprecated in favor of using label",
                    maintainer.range)
            case .arg(let arg):
                checkSecrets("ARG", arg.declarations.map(\.name), arg.range, report)
            case .env(let env):
                checkSecrets("ENV", env.pairs.map(\.key), env.range, report)
                checkLegacy("ENV", env.pairs, env.range, report)
            case .label(let label):
                checkLegacy("LABEL", label.pairs, label.range, report)
            case .workdir(let workdir):
                if workdir.path.hasPrefix("/") || workdir.path.hasPrefix("$") {
                    hasAbsoluteWorkdir = true
                } else if !hasAbsoluteWorkdir {
                    report(
                        .workdirRelativePath,
                        "Relative workdir \"\(workdir.path)\" can have unexpected results if the base image changes",
                        workdir.range)
                }
            case .expose(let expose):
                for port in expose.ports {
                    if port.filter({ $0 == ":" }).count > 0 {
                        report(
                            .exposeInvalidFormat,
                            "EXPOSE instruction should not define an IP address or host-port mapping, found '\(port)'",
                            expose.range)
                    }
                    if let slash = port.lastIndex(of: "/") {
                        let proto = port[port.index(after: slash)...]
                        if proto != proto.lowercased() {
                            report(
                                .exposeProtoCasing,
                                "Defined protocol '\(port)' in EXPOSE instruction should be lowercase", expose.range)
                        }
                    }
                }
            default:
                break
            }
            let keyword = instruction.keyword
            if ["CMD", "ENTRYPOINT", "HEALTHCHECK"].contains(keyword) {
                if let earlier = lastOfKind[keyword] {
                    report(
                        .multipleInstructionsDisallowed,
                        "Multiple \(keyword) instructions should not be used in the same stage because only the last one will be used",
                        earlier)
                }
                lastOfKind[keyword] = instruction.range
            }
        }
        return StageEnd(hasShell: hasShell, hasAbsoluteWorkdir: hasAbsoluteWorkdir)
    }

    /// Whether `image`, expanded with `scope`'s values, is a base image name that can be used.
    private static func namesAnImage(_ image: String, in scope: GlobalScope) -> Bool {
        guard let name = try? ShellLex(escapeCharacter: scope.dockerfile.syntax.escapeCharacter)
            .process(image, lookup: { scope.values[$0] }).value, !name.isEmpty
        else { return false }
        return name.lowercased() == "scratch" || (try? Reference(parsing: name)) != nil
    }

    /// The experimental `InvalidDefinitionDescription`: a comment right above an `ARG` or a
    /// named `FROM` documents it only when its first word is the name.
    private func checkDescriptions(_ dockerfile: Dockerfile, _ report: Reporter) {
        for node in dockerfile.syntax.nodes {
            guard let comment = node.comments.last else { continue }
            let first = String(comment.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            let names: [String]
            let keyword = node.instructionName.uppercased()
            switch keyword {
            case "ARG":
                names = node.stringArguments.map { String($0.split(separator: "=", maxSplits: 1).first ?? "") }
            case "FROM":
                let words = node.stringArguments
                guard words.count == 3, words[1].lowercased() == "as" else { continue }
                names = [words[2].lowercased()]
            default:
                continue
            }
            guard !names.isEmpty, !names.contains(first) else { continue }
            let example = names.count > 1 ? "<arg_key>" : names[0]
            report(.invalidDefinitionDescription, "Comment for \(keyword) should follow the format: `# \(example) <description>`", node.range)
        }
    }

    /// Runs each stage's expansions with what its base provides (scratch: the default PATH;
    /// a stage: that stage's final environment and arguments; an image: ``baseImageEnvironment``).
    private func checkUndefinedVariables(_ dockerfile: Dockerfile, _ report: Reporter) {
        guard let global = try? GlobalScope(dockerfile: dockerfile, arguments: arguments) else { return }
        var finalScopes: [Int: StageScope] = [:]
        for stage in dockerfile.stages {
            guard let resolved = try? global.resolveFrom(of: stage) else { continue }
            let start: StageScope?
            switch resolved.base {
            case .scratch: start = StageScope(global: global, inheritedEnvironment: StageScope.defaultEnvironment)
            case .stage(let index): start = finalScopes[index].map(StageScope.init(continuing:))
            case .image(let reference): start = baseImageEnvironment(reference).map { StageScope(global: global, inheritedEnvironment: $0) }
            }
            guard var scope = start else { continue }
            for instruction in stage.instructions { _ = try? scope.apply(instruction) }
            finalScopes[stage.index] = scope
            var reported: Set<String> = []
            for (name, range) in scope.undefinedReferences where reported.insert("\(name)@\(range.start)").inserted {
                let known = scope.environment.map(\.name) + scope.declaredArguments.map(\.name)
                let hint = suggestion(for: name, among: known.filter { $0 != name }).map { " (did you mean $\($0)?)" } ?? ""
                report(.undefinedVar, "Usage of undefined variable '$\(name)'\(hint)", range)
            }
        }
    }

    /// `COPY`/`ADD` sources from the build context that the `.dockerignore` excludes, after
    /// variable expansion.
    private func checkIgnoredSources(_ dockerfile: Dockerfile, _ matcher: DockerIgnoreMatcher, _ report: Reporter) {
        // As BuildKit: exceptions make it too hard to tell, and the context root counts as
        // ignored only under a pattern that leaves out everything.
        guard !matcher.hasExceptions else { return }
        let ignoresAll = matcher.patterns.contains { !$0.isException && ["*", "**", "**/*"].contains($0.cleanedPattern) }
        guard let global = try? GlobalScope(dockerfile: dockerfile, arguments: arguments) else { return }
        for stage in dockerfile.stages {
            var scope = StageScope(global: global, inheritedEnvironment: StageScope.defaultEnvironment)
            for instruction in stage.instructions {
                let sources: [String]
                let verb: String
                switch try? scope.apply(instruction) {
                case .copy(let copy)? where copy.from == nil:
                    (sources, verb) = (copy.sources, "Copy")
                case .add(let add)?:
                    sources = add.sources.filter { AddSource($0).isLocal }
                    verb = "Add"
                default:
                    continue
                }
                // The source as a context path, the root included (`COPY . .` under a `*`).
                for source in sources {
                    let cleaned = cleanPath(source)
                    if (cleaned == "." || cleaned == "/") && !ignoresAll { continue }
                    guard (try? matcher.matchesOrParentMatches(cleaned)) == true else { continue }
                    report(
                        .copyIgnoredFile,
                        "Attempting to \(verb) file \"\(source)\" that is excluded by .dockerignore", instruction.range)
                }
            }
        }
    }

    private func jsonMessage(_ keyword: String) -> String {
        "JSON arguments recommended for \(keyword) to prevent unintended behavior related to OS signals"
    }

    private func checkLegacy(_ keyword: String, _ pairs: [KeyValuePair], _ range: SourceRange, _ report: Reporter) {
        if pairs.contains(where: { !$0.usesEquals }) {
            report(
                .legacyKeyValueFormat,
                "\"\(keyword) key=value\" should be used instead of legacy \"\(keyword) key value\" format", range)
        }
    }

    /// Names with an `_`-separated word like `password`, `token` or `secret` (but not `public`).
    private func checkSecrets(_ keyword: String, _ names: [String], _ range: SourceRange, _ report: Reporter) {
        // BuildKit's words: one of these as a `_`-separated word, unless an allowed one is too.
        let secretWords: Set<String> = [
            "apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token",
        ]
        let allowedWords: Set<String> = ["public", "file", "version"]
        for name in names {
            let words = Set(name.lowercased().split(separator: "_", omittingEmptySubsequences: false).map(String.init))
            if !words.isDisjoint(with: secretWords), words.isDisjoint(with: allowedWords) {
                report(
                    .secretsUsedInArgOrEnv,
                    "Do not use ARG or ENV instructions for sensitive data (\(keyword) \"\(name)\")", range)
            }
        }
    }
}
