/// The variables in effect while one stage is evaluated, instruction by instruction.
///
/// - `ENV` values come from the base (an image's config or the parent stage) and the stage's
///   `ENV` lines; they are stored in the image.
/// - `ARG` values come from the stage's `ARG` lines (and those of the stage it is based on): a
///   `--build-arg` wins over the default; `ARG NAME` without a default takes the global value.
///   They are visible only after the line and are not stored in the image.
/// - When both define a name, `ENV` wins, whichever came first.
/// - Proxy build arguments reach `RUN` without an `ARG` line but stay out of the history.
public struct StageScope: Sendable {
    /// The image environment, in order (what `Config.Env` becomes).
    public private(set) var environment: [(name: String, value: String)]
    /// The stage's `ARG`s so far, in order; nil value for declared-but-unset.
    public private(set) var declaredArguments: [(name: String, value: String?)] = []
    /// Variables referenced by expanded instructions that were neither set nor declared with
    /// `ARG`, with where (the `UndefinedVar` check).
    public private(set) var undefinedReferences: [(name: String, range: SourceRange)] = []
    let global: GlobalScope
    let lexer: ShellLex

    /// The environment every image starts with, `FROM scratch` included, unless it sets PATH.
    public static let defaultEnvironment: [(name: String, value: String)] = [
        ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    ]

    /// Starts a stage whose base has `inheritedEnvironment` (`NAME=value` pairs in order).
    public init(global: GlobalScope, inheritedEnvironment: [(name: String, value: String)] = []) {
        self.global = global
        self.environment = inheritedEnvironment
        self.lexer = ShellLex(escapeCharacter: global.dockerfile.syntax.escapeCharacter)
    }

    /// Starts a stage based on the stage `parent` ended as: its environment and its `ARG`s,
    /// which "are automatically inherited by other stages based on that stage" (the Dockerfile
    /// reference; BuildKit does so).
    public init(continuing parent: StageScope) {
        self = parent
        undefinedReferences = []
    }

    /// The value a word sees for `name` now: `ENV` first, then a declared `ARG` with a value.
    public func value(of name: String) -> String? {
        if let entry = environment.last(where: { $0.name == name }) { return entry.value }
        return declaredArguments.last(where: { $0.name == name })?.value ?? nil
    }

    /// The environment a `RUN` step gets: declared arguments, then `ENV` (which wins), then the
    /// proxy build arguments that were not declared.
    public var runEnvironment: [String: String] {
        var result: [String: String] = [:]
        // Either spelling of a proxy argument gives the step both, as BuildKit's proxy
        // environment does (`http_proxy` is seen as `$HTTP_PROXY` too).
        for (name, value) in global.arguments.values.sorted(by: { $0.key < $1.key }) where BuildArguments.proxyNames.contains(name) {
            result[name.uppercased()] = value
            result[name.lowercased()] = value
        }
        for (name, value) in declaredArguments { if let value { result[name] = value } }
        for (name, value) in environment { result[name] = value }
        return result
    }

    /// The declared arguments as the image history records them (`NAME=value`, a name
    /// declared again with its last value, in the order of first declaration); proxy arguments
    /// appear only when declared.
    public var historyArguments: [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        for (name, value) in declaredArguments {
            guard let value else { continue }
            if values[name] == nil { order.append(name) }
            values[name] = value
        }
        return order.map { "\($0)=\(values[$0]!)" }
    }

    /// Expands one word with the current variables (quotes removed).
    /// - Throws: ``ShellExpansionError``.
    public func expand(_ word: String) throws(ShellExpansionError) -> String {
        try lexer.process(word, lookup: value(of:)).value
    }

    /// Evaluates `instruction`: returns it with its words expanded (for the instructions
    /// Docker expands: `ADD`, `COPY`, `ENV`, `EXPOSE`, `LABEL`, `STOPSIGNAL`, `USER`, `VOLUME`,
    /// `WORKDIR` and `ARG` defaults) and records its `ENV`/`ARG` effects. A returned `ARG`
    /// carries each name's resolved value in `defaultValue` (`--build-arg`, else the expanded
    /// default, else the global value; nil when unset). `RUN`, `CMD`, `ENTRYPOINT`, `SHELL`,
    /// `HEALTHCHECK`, `ONBUILD` and `MAINTAINER` are returned unchanged: the shell expands at
    /// run time (see ``runEnvironment``; `RUN --mount` values expand via ``expand(_:)``).
    /// - Throws: ``DockerfileError`` located at the instruction for a failed expansion.
    public mutating func apply(_ instruction: Instruction) throws -> Instruction {
        let range = instruction.range
        var undefined: [String] = []
        func word(_ text: String) throws -> String {
            do {
                let result = try lexer.process(text, lookup: value(of:))
                undefined += result.unmatched.sorted()
                return result.value
            } catch {
                throw global.dockerfile.syntax.error(error.message, at: range)
            }
        }
        func words(_ text: String) throws -> [String] {
            do {
                let result = try lexer.process(text, lookup: value(of:))
                undefined += result.unmatched.sorted()
                return result.words
            } catch {
                throw global.dockerfile.syntax.error(error.message, at: range)
            }
        }
        func optional(_ text: String?) throws -> String? { try text.map(word) }
        defer {
            let declared = Set(declaredArguments.map(\.name))
            undefinedReferences += undefined.filter { !declared.contains($0) }.map { ($0, range) }
        }

        switch instruction {
        case .env(var env):
            // Every pair sees the variables from before the instruction.
            env.pairs = try env.pairs.map {
                KeyValuePair(key: try word($0.key), value: try word($0.value), usesEquals: $0.usesEquals)
            }
            for pair in env.pairs {
                if let index = environment.firstIndex(where: { $0.name == pair.key }) {
                    environment[index].value = pair.value
                } else {
                    environment.append((pair.key, pair.value))
                }
            }
            return .env(env)
        case .label(var label):
            label.pairs = try label.pairs.map {
                KeyValuePair(key: try word($0.key), value: try word($0.value), usesEquals: $0.usesEquals)
            }
            return .label(label)
        case .arg(var arg):
            for (offset, declaration) in arg.declarations.enumerated() {
                var value: String?
                if let override = global.arguments.values[declaration.name] {
                    value = override
                } else if let defaultValue = declaration.defaultValue {
                    value = try word(defaultValue)
                } else {
                    value = global.values[declaration.name]
                }
                arg.declarations[offset].defaultValue = value
                declaredArguments.append((declaration.name, value))
            }
            return .arg(arg)
        case .copy(var copy):
            copy.sources = try copy.sources.map(word)
            copy.destination = try word(copy.destination)
            copy.chown = try optional(copy.chown)
            copy.chmod = try optional(copy.chmod)
            copy.excludes = try copy.excludes.map(word)
            copy.inlineSources = try copy.inlineSources.map { try expandInline($0, at: range, undefined: &undefined) }
            return .copy(copy)
        case .add(var add):
            add.sources = try add.sources.map(word)
            add.destination = try word(add.destination)
            add.chown = try optional(add.chown)
            add.chmod = try optional(add.chmod)
            add.checksum = try optional(add.checksum)
            add.excludes = try add.excludes.map(word)
            add.inlineSources = try add.inlineSources.map { try expandInline($0, at: range, undefined: &undefined) }
            return .add(add)
        case .expose(var expose):
            expose.ports = try expose.ports.flatMap(words)
            return .expose(expose)
        case .volume(var volume):
            // Shell form splits a multi-word value into several volumes; JSON keeps each path whole.
            volume.paths = volume.isJSON ? try volume.paths.map(word) : try volume.paths.flatMap(words)
            return .volume(volume)
        case .user(var user):
            user.user = try word(user.user)
            return .user(user)
        case .workdir(var workdir):
            workdir.path = try word(workdir.path)
            return .workdir(workdir)
        case .stopSignal(var signal):
            signal.signal = try word(signal.signal)
            return .stopSignal(signal)
        case .from, .run, .cmd, .entrypoint, .shell, .healthcheck, .onbuild, .maintainer:
            return instruction
        }
    }

    /// Heredoc bodies expand variables but keep quotes, unless the delimiter was quoted.
    private func expandInline(_ source: InlineSource, at range: SourceRange, undefined: inout [String]) throws
        -> InlineSource
    {
        guard source.expands else { return source }
        // Bodies are scripts or files: quotes are their own, and `\` escapes whatever the
        // Dockerfile's escape character is, as BuildKit does.
        var bodyLexer = ShellLex(escapeCharacter: "\\")
        bodyLexer.ignoresQuotes = true
        var expanded = source
        do {
            let result = try bodyLexer.process(source.content, lookup: value(of:))
            expanded.content = result.value
            undefined += result.unmatched.sorted()
        } catch {
            throw global.dockerfile.syntax.error(error.message, at: range)
        }
        return expanded
    }
}

extension GlobalScope {
    /// `--build-arg` names that neither the global scope nor any of `stages` declares (Docker
    /// warns "One or more build-args … were not consumed"); predefined and proxy arguments
    /// never count as unused.
    public func unconsumedBuildArguments(stages: [Stage]) -> [String] {
        var declared = declaredNames
        for stage in stages {
            for case .arg(let arg) in stage.instructions { declared.formUnion(arg.declarations.map(\.name)) }
        }
        let predefined = Set(arguments.platformValues.keys).union(BuildArguments.proxyNames)
        return arguments.values.keys.filter { !declared.contains($0) && !predefined.contains($0) }.sorted()
    }
}
