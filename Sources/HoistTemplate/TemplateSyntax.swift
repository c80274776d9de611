/// A parsed template: text and actions, as Go's `text/template/parse` nodes.
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(TemplatePipeline)
    /// `if`/`else if`/`else`; `with`/`else with`/`else` (`binds` sets dot to the pipeline's value).
    case conditional(branches: [(condition: TemplatePipeline, body: [TemplateNode])], otherwise: [TemplateNode]?, binds: Bool)
    case range(TemplatePipeline, body: [TemplateNode], otherwise: [TemplateNode]?)
    case breakLoop(TemplatePosition)
    case continueLoop(TemplatePosition)
}

/// Where an action starts, and its text, for messages.
struct TemplatePosition: Sendable {
    let line: Int
    let column: Int
    let text: String
}

/// `$x := a | b arg`: commands whose results feed the next command's last argument.
struct TemplatePipeline: Sendable {
    /// Variables declared (`:=`) or assigned (`=`): one, or two in `range $i, $e :=`.
    var variables: [String] = []
    var assigns = false
    var commands: [[TemplateArgument]]
    let position: TemplatePosition
}

/// One operand of a command.
indirect enum TemplateArgument: Sendable {
    case dot
    /// `.A.B` on dot, `$x.A` on a variable, `(pipeline).A` on a result.
    case field(base: TemplateArgument, names: [String])
    case variable(String)
    case function(String)
    case pipeline(TemplatePipeline)
    case literal(TemplateValue)
}
