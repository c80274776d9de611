import HoistOCI

/// A Dockerfile parsed into typed instructions: the global `ARG`s before the first `FROM`
/// and the build stages.
///
/// ```swift
/// let dockerfile = try Dockerfile.parse(text, fileName: "Dockerfile")
/// for stage in dockerfile.stages { print(stage.name ?? "#\(stage.index)") }
/// ```
public struct Dockerfile: Sendable, Hashable {
    /// The raw syntax tree the instructions came from.
    public var syntax: SyntaxTree
    /// `ARG`s before the first `FROM`: usable in `FROM` lines, and inside a stage only after
    /// being declared again there.
    public var globalArgs: [ArgInstruction]
    /// The stages in file order.
    public var stages: [Stage]

    /// Parses `text` down to typed instructions.
    /// - Throws: ``DockerfileError`` (located, with the offending line) for any syntax or
    ///   instruction error, or for an instruction before the first `FROM`.
    public static func parse(_ text: String, fileName: String = "Dockerfile") throws -> Dockerfile {
        try Dockerfile(syntax: DockerfileParser.parse(text, fileName: fileName))
    }

    /// Types the instructions of an already parsed tree.
    /// - Throws: ``DockerfileError`` as ``parse(_:fileName:)`` does.
    public init(syntax: SyntaxTree) throws {
        self.syntax = syntax
        var globalArgs: [ArgInstruction] = []
        var stages: [Stage] = []
        for node in syntax.nodes {
            let instruction: Instruction
            do {
                instruction = try InstructionParser.parse(node)
            } catch {
                var located = syntax.error(error.message, at: node.range, code: error.code)
                // Point at the offending flag when it is on the instruction's first line.
                if let flag = error.flag, let column = Self.column(of: "--" + flag, in: located.lineText) {
                    located.column = column
                }
                throw located
            }
            switch instruction {
            case .from(let from):
                stages.append(Stage(index: stages.count, from: from, instructions: [], comments: node.comments))
            case .arg(let arg) where stages.isEmpty:
                globalArgs.append(arg)
            default:
                guard !stages.isEmpty else {
                    throw syntax.error("no build stage in current context", at: node.range)
                }
                stages[stages.count - 1].instructions.append(instruction)
            }
        }
        self.globalArgs = globalArgs
        self.stages = stages
    }

    /// The 1-based column of `needle` in `line`, counted in Unicode scalars.
    private static func column(of needle: String, in line: String) -> Int? {
        guard let found = line.firstRange(of: needle) else { return nil }
        return line.unicodeScalars.distance(from: line.startIndex, to: found.lowerBound) + 1
    }

    /// The stage a name or index refers to (`build`, `BUILD`, `0`), as `COPY --from` and
    /// `FROM` resolve it; only stages before `position` when given (a stage cannot use
    /// itself or a later one).
    public func stage(named reference: String, before position: Int? = nil) -> Stage? {
        let limit = position ?? stages.count
        let lowered = reference.lowercased()
        if let named = stages.prefix(limit).first(where: { $0.name == lowered }) { return named }
        if let index = Int(reference), index >= 0, index < limit, String(index) == reference { return stages[index] }
        return nil
    }

    /// The stage `--target` selects (case-insensitive); the last stage when `target` is nil.
    /// - Throws: ``DockerfileError`` with code `notFound` for an unknown target.
    public func targetStage(_ target: String?) throws -> Stage {
        guard let target, !target.isEmpty else {
            guard let last = stages.last else {
                throw DockerfileError(code: .notFound, fileName: syntax.fileName, line: 0, message: "dockerfile contains no stages to build")
            }
            return last
        }
        guard let stage = stages.first(where: { $0.name == target.lowercased() }) else {
            let hint = suggestion(for: target, among: stages.compactMap(\.name)).map { " (did you mean \($0)?)" } ?? ""
            throw DockerfileError(
                code: .notFound, fileName: syntax.fileName, line: 0,
                message: "target stage \"\(target)\" could not be found\(hint)")
        }
        return stage
    }
}
