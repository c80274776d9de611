import Foundation
import HoistTemplate
import Testing

/// The template engine against what Go's text/template and Docker's functions print for the
/// same template and data (expected texts are Go's output, checked against `docker inspect
/// --format` in HoistCLITests' differential suite where Docker's data allows).
@Suite("Go templates")
struct GoTemplateTests {
    static let data = TemplateValue.map([
        "Name": .string("web"),
        "Id": .string("0123456789abcdef"),
        "Size": .int(1_234_567),
        "Ratio": .double(0.25),
        "Big": .double(1_000_000),
        "Running": .bool(true),
        "Empty": .string(""),
        "Env": .list([.string("PATH=/bin"), .string("A=1")]),
        "Labels": .map(["b": .string("2"), "a": .string("1")]),
        "Config": .map(["Cmd": .list([.string("sh"), .string("-c"), .string("echo hi")]), "User": .string("")]),
        "Nothing": .null,
        "Ports": .list([]),
    ])

    @Test(arguments: [
        ("{{.Name}}", "web"),
        ("{{.Config.Cmd}}", "[sh -c echo hi]"),
        ("{{.Labels}}", "map[a:1 b:2]"),
        ("{{.Size}} {{.Ratio}} {{.Big}}", "1234567 0.25 1e+06"),
        ("{{.Missing}}", "<no value>"),
        ("{{.Nothing}}", "<no value>"),
        ("{{json .Labels}}", #"{"a":"1","b":"2"}"#),
        ("{{json .Config}}", #"{"Cmd":["sh","-c","echo hi"],"User":""}"#),
        ("{{json .Name}}", #""web""#),
        ("{{json .Nothing}}", "null"),
        ("{{join .Env \",\"}}", "PATH=/bin,A=1"),
        ("{{\" \" | join .Config.Cmd}}", "sh -c echo hi"),
        ("{{upper .Name}} {{lower \"ABC\"}} {{title \"hello big-world\"}}", "WEB abc Hello Big-World"),
        ("{{split \"a:b:c\" \":\"}}", "[a b c]"),
        ("{{index (split \"a:b:c\" \":\") 1}}", "b"),
        ("{{index .Labels \"a\"}}{{index .Labels \"zz\"}}", "1<no value>"),
        ("{{index .Env 0}}", "PATH=/bin"),
        ("{{len .Env}} {{len .Labels}} {{len .Name}}", "2 2 3"),
        ("{{truncate .Id 4}}|{{pad .Name 1 2}}|", "0123| web  |"),
        ("{{slice .Id 0 3}} {{slice .Env 1}}", "012 [A=1]"),
        ("{{range .Env}}[{{.}}]{{end}}", "[PATH=/bin][A=1]"),
        ("{{range $i, $e := .Env}}{{$i}}={{$e}};{{end}}", "0=PATH=/bin;1=A=1;"),
        ("{{range $k, $v := .Labels}}{{$k}}{{$v}}{{end}}", "a1b2"),
        ("{{range .Ports}}x{{else}}none{{end}}", "none"),
        ("{{range .Env}}{{if eq . \"A=1\"}}{{break}}{{end}}{{.}}{{end}}", "PATH=/bin"),
        ("{{range .Env}}{{if eq . \"PATH=/bin\"}}{{continue}}{{end}}{{.}}{{end}}", "A=1"),
        ("{{if .Running}}up{{else}}down{{end}}", "up"),
        ("{{if .Empty}}a{{else if .Name}}b{{else}}c{{end}}", "b"),
        ("{{with .Config}}{{.Cmd}}{{end}}", "[sh -c echo hi]"),
        ("{{with .Empty}}x{{else}}empty{{end}}", "empty"),
        ("{{with .Empty}}x{{else with .Name}}{{.}}{{end}}", "web"),
        ("{{$n := .Name}}{{range .Env}}{{$n}}{{end}}", "webweb"),
        ("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"),
        ("{{with .Config}}{{$.Name}}{{end}}", "web"),
        ("{{and .Running .Name}} {{or .Empty .Name}} {{not .Running}}", "web web false"),
        ("{{and .Empty .Missing.Deep}}", ""),
        ("{{eq .Size 1234567}} {{ne .Name \"x\"}} {{lt 1 2}} {{ge 2.5 2.5}} {{eq .Name \"a\" \"web\"}}", "true true true true true"),
        ("{{printf \"%s-%d-%5.2f-%q-%v-%x\" .Name 42 3.14159 \"q\" .Env 255}}", #"web-42- 3.14-"q"-[PATH=/bin A=1]-ff"#),
        ("{{printf \"%-5s|%05d|%t\" \"ab\" 42 true}}", "ab   |00042|true"),
        ("{{printf \"%d\" \"x\"}}", "%!d(string=x)"),
        ("{{printf \"%s %s\" \"a\"}}", "a %!s(MISSING)"),
        ("{{print 1 2 \"a\" 3}}", "1 2a3"),
        ("{{println .Name 1}}", "web 1\n"),
        ("{{html \"<a href='x'>\"}}", "&lt;a href=&#39;x&#39;&gt;"),
        ("{{urlquery \"a b&c\"}}", "a+b%26c"),
        ("{{len (index .Config \"Cmd\")}}", "3"),
        ("{{(index .Config.Cmd 2)}}", "echo hi"),
        ("{{ .Name }} {{- \" x\" -}} {{ .Name }}", "web xweb"),
        ("a  {{- /* a comment */ -}}  b", "ab"),
        ("{{`raw\\n`}}{{\"\\t\"}}", "raw\\n\t"),
        ("{{0x1F}} {{-3}} {{1e3}} {{'a'}}", "31 -3 1000 97"),
        ("{{.}}", "map[Big:1e+06 Config:map[Cmd:[sh -c echo hi] User:] Empty: Env:[PATH=/bin A=1] Id:0123456789abcdef Labels:map[a:1 b:2] Name:web Nothing:<nil> Ports:[] Ratio:0.25 Running:true Size:1234567]"),
    ])
    func rendersAsGoDoes(template: String, expected: String) throws {
        #expect(try GoTemplate(template).render(Self.data) == expected)
    }

    @Test(arguments: [
        ("{{nosuch .Name}}", #"template parsing error: template: :1: function "nosuch" not defined"#),
        ("{{.Name", "template parsing error: template: :1: unclosed action"),
        ("{{if .Name}}x", "template parsing error: template: :1: unexpected EOF: {{if}} has no {{end}}"),
        ("{{end}}", "template parsing error: template: :1: unexpected {{end}}"),
        ("{{break}}", "template parsing error: template: :1: {{break}} outside {{range}}"),
        ("{{\"unterminated}}", "template parsing error: template: :1: unterminated quoted string"),
    ])
    func refusesBadSyntax(template: String, message: String) {
        #expect { try GoTemplate(template) } throws: { ($0 as? TemplateError)?.description == message }
    }

    @Test(arguments: [
        ("{{.Name.Deep}}", "can't evaluate field Deep in type string"),
        ("{{.Nothing.Deep}}", "nil pointer evaluating interface {}.Deep"),
        ("{{index .Env 5}}", "error calling index: index out of range: 5"),
        ("{{len .Size}}", "error calling len: len of type int"),
        // The piped value is the last argument, as in Go: join(" ", Cmd) is a type error there too.
        ("{{.Config.Cmd | join \" \"}}", "error calling join: wrong type for value; expected []string; got string"),
        ("{{$nope}}", "undefined variable: $nope"),
        ("{{.Name 1}}", "can't give argument to non-function .Name"),
        ("{{range .Name}}{{end}}", "range can't iterate over web"),
        ("{{lt true false}}", "error calling lt: invalid type for comparison"),
    ])
    func failsAtExecutionWithTheAction(template: String, reason: String) throws {
        let parsed = try GoTemplate(template)
        #expect { try parsed.render(Self.data) } throws: { error in
            guard let error = error as? TemplateError, error.stage == .executing else { return false }
            return error.reason == reason && error.description.contains("executing \"\" at <")
        }
    }

    @Test func missingKeysCanBeErrorsAsInDockerInspect() throws {
        let template = try GoTemplate("{{.Nope}}", missingKey: .error)
        #expect { try template.render(Self.data) } throws: {
            ($0 as? TemplateError)?.description == #"template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope""#
        }
    }

    @Test func headersGiveFieldNamesAndDockerFunctionsTheirArgument() throws {
        let template = try GoTemplate("{{.ID}}\t{{upper .Name}}\t{{json .Labels}}")
        #expect(try template.renderHeader { $0 == "ID" ? "CONTAINER ID" : $0.uppercased() } == "CONTAINER ID\tNAME\tLABELS")
    }

    @Test(arguments: [
        (1e21, "1e+21", "1e+21"), (123456.0, "123456", "123456"), (1234567.0, "1.234567e+06", "1234567"),
        (0.0001, "0.0001", "0.0001"), (0.00001, "1e-05", "0.00001"), (1e-7, "1e-07", "1e-7"), (-2.5, "-2.5", "-2.5"),
    ])
    func floatsPrintAsGoPrintsThem(value: Double, printed: String, json: String) {
        #expect(TemplateValue.double(value).printed == printed)
        #expect(TemplateValue.double(value).json == json)
    }

    @Test func valuesFromJSONKeepIntegersApart() throws {
        let object: [String: Any] = ["i": 3, "d": 2.5, "b": true, "n": NSNull()]
        let value = TemplateValue(json: object)
        #expect(try GoTemplate("{{.i}} {{.d}} {{.b}} {{.n}}").render(value) == "3 2.5 true <no value>")
    }
}

