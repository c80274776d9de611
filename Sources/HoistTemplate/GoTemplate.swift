/// A Go `text/template` as Docker's `--format` takes it: fields and nested fields, variables,
/// pipelines, parentheses, `if`/`else if`/`with`/`range` (with `else`, `break`, `continue`),
/// comments and space trimming; Go's builtin functions (`and or not len index slice print
/// printf println eq ne lt le gt ge html js urlquery`) and Docker's (`json split join title
/// lower upper pad truncate`). An unknown function is a parse error, as in Go.
///
/// ```swift
/// let template = try GoTemplate("{{range .Env}}{{println .}}{{end}}")
/// let text = try template.render(.map(["Env": .list([.string("A=1")])]))
/// ```
public struct GoTemplate: Sendable {
    /// What `.Key` gives when a map has no such key.
    public enum MissingKey: Sendable {
        /// Go's default: the zero value, printed `<no value>`.
        case zero
        /// An error naming the key, as `docker inspect` reports it.
        case error
    }

    private let nodes: [TemplateNode]
    private let missingKey: MissingKey

    /// Parses `source`; throws a ``TemplateError`` with Go's message on bad syntax or an
    /// unknown function.
    public init(_ source: String, missingKey: MissingKey = .zero) throws(TemplateError) {
        var parser = try TemplateParser(source, functions: Set(TemplateFunctions.names))
        nodes = try parser.parse()
        self.missingKey = missingKey
    }

    /// The text the template gives for `data`.
    public func render(_ data: TemplateValue) throws(TemplateError) -> String {
        var run = TemplateRun(root: data, missingKey: missingKey, header: nil)
        try run.walk(nodes, dot: data)
        return run.output
    }

    /// A table's header row as Docker writes it: each field of the item gives `header(name)`
    /// and Docker's functions give their argument unchanged.
    public func renderHeader(_ header: @escaping (String) -> String) throws(TemplateError) -> String {
        var run = TemplateRun(root: .null, missingKey: .zero, header: header)
        try run.walk(nodes, dot: .null)
        return run.output
    }
}

/// One execution of a template: the output so far and the variables in scope.
struct TemplateRun {
    let root: TemplateValue
    let missingKey: GoTemplate.MissingKey
    /// Set when rendering a table header (see ``GoTemplate/renderHeader(_:)``).
    let header: ((String) -> String)?
    var output = ""
    private var variables: [(name: String, value: TemplateValue)]

    private enum LoopControl: Error { case breakLoop, continueLoop }

    init(root: TemplateValue, missingKey: GoTemplate.MissingKey, header: ((String) -> String)?) {
        self.root = root
        self.missingKey = missingKey
        self.header = header
        variables = [("$", root)]
    }

    mutating func walk(_ nodes: [TemplateNode], dot: TemplateValue) throws(TemplateError) {
        do {
            try walkControlled(nodes, dot: dot)
        } catch let error as TemplateError {
            throw error
        } catch {
            // break/continue are only parsed inside a range, which catches them.
        }
    }

    private mutating func walkControlled(_ nodes: [TemplateNode], dot: TemplateValue) throws {
        for node in nodes {
            switch node {
            case .text(let text): output += text
            case .action(let pipeline):
                let value = try evaluate(pipeline, dot: dot)
                if pipeline.variables.isEmpty { output += value.printed }
            case .conditional(let branches, let otherwise, let binds):
                let scope = variables.count
                defer { variables.removeLast(variables.count - scope) }
                var taken = false
                for branch in branches {
                    let value = try evaluate(branch.condition, dot: dot)
                    if value.isTrue {
                        try walkControlled(branch.body, dot: binds ? value : dot)
                        taken = true
                        break
                    }
                }
                if !taken, let otherwise { try walkControlled(otherwise, dot: dot) }
            case .range(let pipeline, let body, let otherwise):
                let scope = variables.count
                defer { variables.removeLast(variables.count - scope) }
                var over = pipeline
                let names = over.variables
                over.variables = []
                let value = try evaluate(over, dot: dot)
                let elements: [(TemplateValue, TemplateValue)]
                switch value {
                case .list(let list): elements = list.enumerated().map { (.int($0.offset), $0.element) }
                case .map(let map): elements = map.keys.sorted().map { (.string($0), map[$0]!) }
                case .int(let count): elements = (0..<max(count, 0)).map { (.int($0), .int($0)) }
                case .null: elements = []
                default: throw failure("range can't iterate over \(value.printed)", at: pipeline.position)
                }
                if elements.isEmpty {
                    if let otherwise { try walkControlled(otherwise, dot: dot) }
                    continue
                }
                for (key, element) in elements {
                    let inner = variables.count
                    if names.count == 1 { variables.append((names[0], element)) }
                    if names.count == 2 { variables.append((names[0], key)); variables.append((names[1], element)) }
                    defer { variables.removeLast(variables.count - inner) }
                    do {
                        try walkControlled(body, dot: element)
                    } catch LoopControl.breakLoop {
                        break
                    } catch LoopControl.continueLoop {
                        continue
                    }
                }
            case .breakLoop: throw LoopControl.breakLoop
            case .continueLoop: throw LoopControl.continueLoop
            }
        }
    }

    // MARK: Pipelines and operands

    private mutating func evaluate(_ pipeline: TemplatePipeline, dot: TemplateValue) throws(TemplateError) -> TemplateValue {
        var value: TemplateValue?
        for command in pipeline.commands {
            value = try evaluate(command, piped: value, dot: dot, at: pipeline.position)
        }
        let result = value ?? .null
        for name in pipeline.variables {
            if pipeline.assigns {
                guard let index = variables.lastIndex(where: { $0.name == name }) else {
                    throw failure("undefined variable: \(name)", at: pipeline.position)
                }
                variables[index].value = result
            } else {
                variables.append((name, result))
            }
        }
        return result
    }

    private mutating func evaluate(_ command: [TemplateArgument], piped: TemplateValue?, dot: TemplateValue, at position: TemplatePosition) throws(TemplateError) -> TemplateValue {
        if case .function(let name) = command[0] {
            let operands = Array(command.dropFirst())
            if name == "and" || name == "or" {
                // Short-circuit: the first false (and) or true (or) operand, else the last.
                var last = TemplateValue.null
                let count = operands.count + (piped == nil ? 0 : 1)
                guard count > 0 else { throw failure("wrong number of args for \(name): want at least 1 got 0", at: position) }
                for index in 0..<count {
                    last = index < operands.count ? try value(of: operands[index], dot: dot, at: position) : piped!
                    if last.isTrue != (name == "and") { return last }
                }
                return last
            }
            var arguments: [TemplateValue] = []
            for operand in operands { arguments.append(try value(of: operand, dot: dot, at: position)) }
            if let piped { arguments.append(piped) }
            do {
                if header != nil, let value = TemplateFunctions.header(name, arguments) { return value }
                return try TemplateFunctions.call(name, arguments)
            } catch {
                throw failure("error calling \(name): \(error.reason)", at: position)
            }
        }
        guard command.count == 1, piped == nil else {
            throw failure("can't give argument to non-function \(Self.describe(command[0]))", at: position)
        }
        return try value(of: command[0], dot: dot, at: position)
    }

    private mutating func value(of argument: TemplateArgument, dot: TemplateValue, at position: TemplatePosition) throws(TemplateError) -> TemplateValue {
        switch argument {
        case .dot: return dot
        case .literal(let value): return value
        case .variable(let name):
            guard let found = variables.last(where: { $0.name == name }) else { throw failure("undefined variable: \(name)", at: position) }
            return found.value
        case .function:
            // A function named as an operand is called with no arguments, as in Go.
            return try evaluate([argument], piped: nil, dot: dot, at: position)
        case .pipeline(let pipeline): return try evaluate(pipeline, dot: dot)
        case .field(let base, let names):
            if let header, case .dot = base, let first = names.first { return .string(header(names.count == 1 ? first : names.last!)) }
            var value = try self.value(of: base, dot: dot, at: position)
            for name in names {
                switch value {
                case .map(let map):
                    if let found = map[name] {
                        value = found
                    } else if missingKey == .error {
                        throw failure("map has no entry for key \"\(name)\"", at: position)
                    } else {
                        value = .null
                    }
                case .null:
                    throw failure("nil pointer evaluating interface {}.\(name)", at: position)
                default:
                    throw failure("can't evaluate field \(name) in type \(value.typeName)", at: position)
                }
            }
            return value
        }
    }

    private static func describe(_ argument: TemplateArgument) -> String {
        switch argument {
        case .dot: "."
        case .field(_, let names): "." + names.joined(separator: ".")
        case .variable(let name): name
        case .function(let name): name
        case .pipeline: "(pipeline)"
        case .literal(let value): value.formatted
        }
    }

    private func failure(_ reason: String, at position: TemplatePosition) -> TemplateError {
        TemplateError(stage: .executing, line: position.line, column: position.column, action: position.text, reason: reason)
    }
}
