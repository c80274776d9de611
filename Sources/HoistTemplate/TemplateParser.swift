/// Turns lexed items into nodes: pipelines, and the `if`/`with`/`range` blocks they open.
struct TemplateParser {
    private var items: [TemplateLexer.Item]
    private var next = 0
    private let functions: Set<String>
    private var loopDepth = 0

    init(_ source: String, functions: Set<String>) throws(TemplateError) {
        items = try TemplateLexer.items(source)
        self.functions = functions
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        let (nodes, end) = try list()
        if let (keyword, position) = end {
            throw Self.error("unexpected {{\(keyword)}}", at: position)
        }
        return nodes
    }

    /// Nodes up to an `{{end}}` or `{{else …}}` (returned with the rest of its tokens), or the end.
    private mutating func list() throws(TemplateError) -> ([TemplateNode], (String, TemplatePosition)?) {
        var nodes: [TemplateNode] = []
        while next < items.count {
            let item = items[next]
            next += 1
            switch item {
            case .text(let text): nodes.append(.text(text))
            case .action(let inside, let position):
                var tokens = try TemplateLexer.tokens(inside, at: position)
                guard case .identifier(let keyword)? = tokens.first?.kind else {
                    nodes.append(.action(try pipeline(tokens, at: position)))
                    continue
                }
                switch keyword {
                case "end", "else": return (nodes, (inside.trimmingTemplateSpace, position))
                case "if", "with":
                    tokens.removeFirst()
                    nodes.append(try conditional(keyword, tokens, at: position))
                case "range":
                    tokens.removeFirst()
                    let over = try pipeline(tokens, at: position, allowsTwoVariables: true)
                    loopDepth += 1
                    let (body, end) = try list()
                    loopDepth -= 1
                    var otherwise: [TemplateNode]?
                    if try isElse(end) {
                        let (elseBody, elseEnd) = try list()
                        try expectEnd(elseEnd, of: "range", at: position)
                        otherwise = elseBody
                    } else {
                        try expectEnd(end, of: "range", at: position)
                    }
                    nodes.append(.range(over, body: body, otherwise: otherwise))
                case "break", "continue":
                    guard tokens.count == 1 else { throw Self.error("unexpected operand after \(keyword)", at: position) }
                    guard loopDepth > 0 else { throw Self.error("{{\(keyword)}} outside {{range}}", at: position) }
                    nodes.append(keyword == "break" ? .breakLoop(position) : .continueLoop(position))
                case "define", "template", "block":
                    throw Self.error("{{\(keyword)}} is not supported in --format", at: position)
                default:
                    nodes.append(.action(try pipeline(tokens, at: position)))
                }
            }
        }
        return (nodes, nil)
    }

    /// `if`/`with` with their `else if`/`else with` chains.
    private mutating func conditional(_ keyword: String, _ tokens: [TemplateLexer.Token], at position: TemplatePosition) throws(TemplateError) -> TemplateNode {
        var branches: [(condition: TemplatePipeline, body: [TemplateNode])] = []
        var condition = try pipeline(tokens, at: position)
        while true {
            let (body, end) = try list()
            branches.append((condition, body))
            guard let (text, endPosition) = end else { throw Self.error("unexpected EOF: {{\(keyword)}} has no {{end}}", at: position) }
            if text == "end" { return .conditional(branches: branches, otherwise: nil, binds: keyword == "with") }
            var elseTokens = try TemplateLexer.tokens(text, at: endPosition)
            guard case .identifier("else")? = elseTokens.first?.kind else { throw Self.error("unexpected {{\(text)}}", at: endPosition) }
            elseTokens.removeFirst()
            if elseTokens.isEmpty {
                let (otherwise, finalEnd) = try list()
                try expectEnd(finalEnd, of: keyword, at: position)
                return .conditional(branches: branches, otherwise: otherwise, binds: keyword == "with")
            }
            guard case .identifier(let chained)? = elseTokens.first?.kind, chained == keyword else {
                throw Self.error("unexpected {{\(text)}} in {{\(keyword)}}", at: endPosition)
            }
            elseTokens.removeFirst()
            condition = try pipeline(elseTokens, at: endPosition)
        }
    }

    private func isElse(_ end: (String, TemplatePosition)?) throws(TemplateError) -> Bool {
        guard let (text, position) = end else { return false }
        if text == "else" { return true }
        if text == "end" { return false }
        throw Self.error("unexpected {{\(text)}}", at: position)
    }

    private func expectEnd(_ end: (String, TemplatePosition)?, of keyword: String, at position: TemplatePosition) throws(TemplateError) {
        guard let (text, endPosition) = end else { throw Self.error("unexpected EOF: {{\(keyword)}} has no {{end}}", at: position) }
        guard text == "end" else { throw Self.error("expected {{end}}, found {{\(text)}}", at: endPosition) }
    }

    // MARK: Pipelines

    private func pipeline(_ tokens: [TemplateLexer.Token], at position: TemplatePosition, allowsTwoVariables: Bool = false) throws(TemplateError) -> TemplatePipeline {
        var rest = tokens[...]
        var variables: [String] = []
        var assigns = false
        // `$x :=`, `$x =`, or `$i, $e :=` (range).
        if case .variable(let first, [])? = rest.first?.kind {
            let afterFirst = rest.dropFirst()
            switch afterFirst.first?.kind {
            case .declare?, .assign?:
                variables = [first]
                assigns = afterFirst.first?.kind == .assign
                rest = afterFirst.dropFirst()
            case .comma? where allowsTwoVariables:
                let afterComma = afterFirst.dropFirst()
                guard case .variable(let second, [])? = afterComma.first?.kind, afterComma.dropFirst().first?.kind == .declare else {
                    throw Self.error("too many declarations in command", at: position)
                }
                variables = [first, second]
                rest = afterComma.dropFirst(2)
            default: break
            }
        }
        var result = TemplatePipeline(variables: variables, assigns: assigns, commands: [], position: position)
        result.commands = try commands(&rest, at: position, closing: false)
        return result
    }

    /// Commands separated by `|`, up to the end or (inside parentheses) a `)`.
    private func commands(_ rest: inout ArraySlice<TemplateLexer.Token>, at position: TemplatePosition, closing: Bool) throws(TemplateError) -> [[TemplateArgument]] {
        var commands: [[TemplateArgument]] = []
        var current: [TemplateArgument] = []
        while let token = rest.first {
            switch token.kind {
            case .pipe:
                guard !current.isEmpty else { throw Self.error("missing command before |", at: position) }
                commands.append(current)
                current = []
                rest.removeFirst()
            case .rightParen:
                guard closing else { throw Self.error("unexpected right paren", at: position) }
                guard !current.isEmpty else { throw Self.error("missing command", at: position) }
                commands.append(current)
                return commands
            default:
                current.append(try operand(&rest, at: position))
            }
        }
        guard !closing else { throw Self.error("unclosed left paren", at: position) }
        guard !current.isEmpty else { throw Self.error(commands.isEmpty ? "missing value for command" : "missing command after |", at: position) }
        commands.append(current)
        if case .literal(.null)? = commands.first?.first, commands.first!.count == 1 { throw Self.error("nil is not a command", at: position) }
        return commands
    }

    private func operand(_ rest: inout ArraySlice<TemplateLexer.Token>, at position: TemplatePosition) throws(TemplateError) -> TemplateArgument {
        let token = rest.removeFirst()
        switch token.kind {
        case .dot: return .dot
        case .field(let names): return .field(base: .dot, names: names)
        case .variable(let name, let names): return names.isEmpty ? .variable(name) : .field(base: .variable(name), names: names)
        case .literal(let value): return .literal(value)
        case .identifier("true"): return .literal(.bool(true))
        case .identifier("false"): return .literal(.bool(false))
        case .identifier("nil"): return .literal(.null)
        case .identifier(let name):
            guard functions.contains(name) else { throw Self.error("function \"\(name)\" not defined", at: position) }
            return .function(name)
        case .leftParen:
            var inner = TemplatePipeline(commands: [], position: position)
            inner.commands = try commands(&rest, at: position, closing: true)
            rest.removeFirst()  // the `)`
            if case .field(let names)? = rest.first?.kind, rest.first?.spaced == false {
                rest.removeFirst()
                return .field(base: .pipeline(inner), names: names)
            }
            return .pipeline(inner)
        default:
            throw Self.error("unexpected \(token.kind) in operand", at: position)
        }
    }

    private static func error(_ reason: String, at position: TemplatePosition) -> TemplateError {
        TemplateError(stage: .parsing, line: position.line, column: position.column, action: nil, reason: reason)
    }
}
