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
        // BuildKit's TARGETSTAGE: the target, else the last stage's name, else "default".
        values["TARGETSTAGE"] = arguments.targetStage ?? dockerfile.stages.last?.name ?? "default"
        var declared: Set<String> = []
        for arg in dockerfile.globalArgs {
            for declaration in arg.declarations {
                var value: String?
                // A default is not even expanded when a build argument overrides it
                // (`ARG FOO=${FOO:?required}` with `--build-arg FOO=…` builds).
                if let defaultValue = declaration.defaultValue, arguments.values[declaration.name] == nil {
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
            let before = undefined.count
            let expanded = try expand(text)
            // A variable that was not set is most likely a misspelt one: say which it may be.
            let hint = undefined[before...].lazy.compactMap { suggestion(for: $0, among: values.keys.sorted()) }.first
                .map { " (did you mean \($0)?)" } ?? ""
            guard !expanded.isEmpty else {
                throw dockerfile.syntax.error("empty platform value from expression \(text)\(hint)", at: from.range)
            }
            guard let parsed = PlatformSpecifier(expanded) else {
                // containerd's words for a malformed specifier, as BuildKit passes them on.
                let component = expanded.split(separator: "/", omittingEmptySubsequences: false)
                    .first { $0.isEmpty || $0.contains { !($0.isLetter || $0.isNumber || "_.-".contains($0)) } } ?? ""
                throw dockerfile.syntax.error(
                    "failed to parse platform \(text): \"\(component)\" is an invalid component of \"\(expanded)\": platform specifier component must match \"^[A-Za-z0-9_.-]+$\": invalid argument\(hint)",
                    at: from.range)
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

    /// Resolves a `COPY --from` / `--mount from=` value already expanded: a stage by name
    /// (any stage, earlier or later) or by index, otherwise an image. Cycles are found by
    /// ``checkStageDependencies()``.
    /// - Throws: ``DockerfileError`` (`notFound`) for an index that is not a stage.
    public func resolveReference(_ reference: String, at range: SourceRange) throws -> StageBase {
        if let named = dockerfile.stages.first(where: { $0.name == reference.lowercased() }) {
            return .stage(named.index)
        }
        if let index = Int(reference) {
            guard dockerfile.stages.indices.contains(index) else {
                throw dockerfile.syntax.error("invalid stage index \(index)", at: range, code: .notFound)
            }
            return .stage(index)
        }
        return reference.lowercased() == "scratch" ? .scratch : .image(reference)
    }

    /// The stages each stage needs through `COPY --from` and `RUN --mount from=` (after
    /// expansion), as pairs of stage index and the instruction that creates the edge.
    /// - Throws: ``DockerfileError`` for a failed expansion or a bad stage index.
    public func stageDependencies() throws -> [Int: [(stage: Int, range: SourceRange)]] {
        var dependencies: [Int: [(stage: Int, range: SourceRange)]] = [:]
        var finalScopes: [Int: StageScope] = [:]
        for stage in dockerfile.stages {
            // A stage goes on from its base stage's variables; an image's are not known here.
            var scope = StageScope(global: self)
            if case .stage(let base)? = try? resolveFrom(of: stage).base, let parent = finalScopes[base] {
                scope = StageScope(continuing: parent)
            }
            defer { finalScopes[stage.index] = scope }
            for instruction in stage.instructions {
                var references: [String] = []
                switch try scope.apply(instruction) {
                case .copy(let copy):
                    if let from = copy.from { references.append(from) }
                case .run(let run):
                    // A mount that does not parse yet (variables an image's ENV sets) is the
                    // converter's to report; it names no stage here.
                    let mounts = (try? run.mounts(expand: { try scope.expand($0) })) ?? []
                    for mount in mounts {
                        switch mount {
                        case .bind(let bind): if let from = bind.from { references.append(from) }
                        case .cache(let cache): if let from = cache.from { references.append(from) }
                        default: break
                        }
                    }
                default:
                    break
                }
                for reference in references {
                    if case .stage(let index) = try resolveReference(reference, at: instruction.range) {
                        dependencies[stage.index, default: []].append((index, instruction.range))
                    }
                }
            }
        }
        return dependencies
    }

    /// The stages a build of `target` needs — its `FROM` chain and `--from` sources,
    /// transitively — in index order; the others are skipped (and their `ARG`s do not count
    /// as consuming `--build-arg`s).
    /// - Throws: ``DockerfileError`` as ``stageDependencies()`` and ``resolveFrom(of:)`` do.
    public func stagesNeeded(for target: Stage) throws -> [Int] {
        let dependencies = try stageDependencies()
        var needed: Set<Int> = [target.index]
        var pending = [target.index]
        while let index = pending.popLast() {
            var next = (dependencies[index] ?? []).map(\.stage)
            if case .stage(let base) = try resolveFrom(of: dockerfile.stages[index]).base { next.append(base) }
            for stage in next where needed.insert(stage).inserted { pending.append(stage) }
        }
        return needed.sorted()
    }

    /// Refuses stages that need themselves through `--from` (directly or through others).
    /// `FROM` cannot form a cycle: it only sees earlier stages.
    /// - Throws: ``DockerfileError`` "circular dependency detected on stage: NAME", located at
    ///   the instruction that closes the cycle.
    public func checkStageDependencies() throws {
        let dependencies = try stageDependencies()
        // Iterative depth-first search, so a long chain of stages cannot exhaust the stack.
        var finished: Set<Int> = []
        for root in dockerfile.stages.indices where !finished.contains(root) {
            var path: [(stage: Int, nextEdge: Int)] = [(root, 0)]
            var onPath: Set<Int> = [root]
            while let top = path.last {
                let edges = dependencies[top.stage] ?? []
                guard top.nextEdge < edges.count else {
                    path.removeLast()
                    onPath.remove(top.stage)
                    finished.insert(top.stage)
                    continue
                }
                path[path.count - 1].nextEdge += 1
                let edge = edges[top.nextEdge]
                if onPath.contains(edge.stage) {
                    let name = dockerfile.stages[path[0].stage].name ?? "stage-\(path[0].stage)"
                    throw dockerfile.syntax.error("circular dependency detected on stage: \(name)", at: edge.range)
                }
                if !finished.contains(edge.stage) {
                    path.append((edge.stage, 0))
                    onPath.insert(edge.stage)
                }
            }
        }
    }
}
