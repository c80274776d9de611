/// What a `FROM` (or `COPY --from`) refers to once its variables are expanded.
public enum StageBase: Sendable, Hashable {
    /// The empty image.
    case scratch
    /// An earlier stage, by index.
    case stage(Int)
    /// An image reference to pull.
    case image(String)
}

/// A stage's base and platform after expansion with the global arguments.
public struct ResolvedFrom: Sendable, Hashable {
    /// What the stage starts from.
    public var base: StageBase
    /// The expanded `--platform`, nil when not given.
    public var platform: PlatformSpecifier?
    /// Variables used in the `FROM` line that were never declared (check `UndefinedArgInFrom`).
    public var undefinedVariables: [String]
}

/// The global scope of a Dockerfile: the predefined platform arguments and the `ARG`s before
/// the first `FROM`, with `--build-arg` overrides applied. Only `FROM` lines see it directly;
/// a stage sees a global argument after declaring it again with `ARG NAME`.
public struct GlobalScope: Sendable {
    /// The arguments in effect (declared without a value and not overridden means unset).
    public private(set) var values: [String: String]
    /// The names declared by global `ARG`s, set or not.
    public private(set) var declaredNames: Set<String>
    /// The build invocation's arguments.
    public let arguments: BuildArguments
    let lexer: ShellLex
    let dockerfile: Dockerfile

    /// Evaluates the global `ARG`s of `dockerfile` in order.
    /// - Throws: ``DockerfileError`` when a default cannot be expanded.
    public init(dockerfile: Dockerfile, arguments: BuildArguments) throws {
        self.dockerfile = dockerfile
        self.arguments = arguments
        self.lexer = ShellLex(escapeCharacter: dockerfile.syntax.escapeCharacter)
        var values = arguments.platformValues
        var declared: Set<String> = []
        for arg in dockerfile.globalArgs {
            for declaration in arg.declarations {
                var value: String?
                if let defaultValue = declaration.defaultValue {
                    do {
                        value = try lexer.expand(defaultValue, environment: values)
                    } catch {
                        throw dockerfile.syntax.error(error.message, at: arg.range)
                    }
                }
                if let override = arguments.values[declaration.name] { value = override }
                declared.insert(declaration.name)
                if let value { values[declaration.name] = value }
            }
        }
        self.values = values
        self.declaredNames = declared
    }

    /// Expands a stage's `FROM`: base name and `--platform`, with the global arguments only.
    /// - Throws: ``DockerfileError`` for a bad expansion, an empty base name or a bad platform.
    public func resolveFrom(of stage: Stage) throws -> ResolvedFrom {
        let from = stage.from
        var undefined: [String] = []
        func expand(_ word: String) throws -> String {
            do {
                let result = try lexer.process(word, lookup: { values[$0] })
                undefined += result.unmatched.filter { !declaredNames.contains($0) }.sorted()
                return result.value
            } catch {
                throw dockerfile.syntax.error(error.message, at: from.range)
            }
        }
        let name = try expand(from.image)
        guard !name.isEmpty else {
            throw dockerfile.syntax.error("base name (\(from.image)) should not be blank", at: from.range)
        }
        var platform: PlatformSpecifier?
        if let text = from.platform {
            let expanded = try expand(text)
            guard let parsed = PlatformSpecifier(expanded) else {
                throw dockerfile.syntax.error("failed to parse platform \(expanded)", at: from.range)
            }
            platform = parsed
        }
        let base: StageBase
        if let earlier = dockerfile.stage(named: name, before: stage.index), Int(name) == nil {
            base = .stage(earlier.index)
        } else if name.lowercased() == "scratch" {
            base = .scratch
        } else {
            base = .image(name)
        }
        return ResolvedFrom(base: base, platform: platform, undefinedVariables: undefined)
    }

    /// Variables a stage's `FROM` line (base name and `--platform`) uses that no global `ARG`
    /// declares and no predefined argument provides.
    public func undefinedVariables(in stage: Stage) -> [String] {
        var names: Set<String> = []
        for word in [stage.from.image] + (stage.from.platform.map { [$0] } ?? []) {
            if let result = try? lexer.process(word, lookup: { values[$0] }) {
                names.formUnion(result.unmatched.filter { !declaredNames.contains($0) })
            }
        }
        return names.sorted()
    }

    /// Resolves a `COPY --from` / `--mount from=` value already expanded: an earlier stage by
    /// name or index, or an image.
    /// - Throws: ``DockerfileError`` (`notFound`) for an index that is not an earlier stage.
    public func resolveReference(_ reference: String, from stage: Stage, at range: SourceRange) throws -> StageBase {
        if let earlier = dockerfile.stage(named: reference, before: stage.index) { return .stage(earlier.index) }
        if let index = Int(reference) {
            throw dockerfile.syntax.error(
                "invalid from flag value \(index): refers to current or later build stage", at: range,
                code: .notFound)
        }
        return reference.lowercased() == "scratch" ? .scratch : .image(reference)
    }
}
