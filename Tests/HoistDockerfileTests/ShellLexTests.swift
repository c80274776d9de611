import HoistDockerfile
import Testing

/// Pattern operators and lexer options the BuildKit vector files do not cover.
@Suite struct ShellLexTests {
    static let environment = ["X": "a/b/c", "B": "banana", "S": "*x", "EMPTY": ""]

    /// Unlike bash, `${v/#p/r}` has no anchor: BuildKit reads the `#` literally.
    @Test(arguments: [
        ("${X#*/}", "b/c"), ("${X##*/}", "c"), ("${X%/*}", "a/b"), ("${X%%/*}", "a"),
        ("${B#*a}", "nana"), ("${B##*a}", ""), ("${B%a*}", "banan"), ("${B%%a*}", "b"),
        ("${B#x}", "banana"), ("${B%?}", "banan"), ("${B#??}", "nana"), ("${S#\\*}", "x"),
        ("${UNSET#a}", ""), ("${B/an/AN}", "bANana"), ("${B//an/AN}", "bANANa"), ("${B/a*/Z}", "bZ"),
        ("${B/#b/B}", "banana"), ("${B//x/y}", "banana"), ("${B/?/_}", "_anana"), ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""), ("${EMPTY:+p}", ""), ("${EMPTY+p}", "p"), ("${B:?no}", "banana"),
    ])
    func patternOperators(_ word: String, _ expected: String) throws {
        #expect(try ShellLex().expand(word, environment: Self.environment) == expected, "\(word)")
    }

    @Test(arguments: ["${B:#a}", "${B:%a}", "${B#\\a}", "${B/a", "${B", "${EMPTY:?}", "${UNSET?must}", "${B:=x}"])
    func patternErrors(_ word: String) {
        #expect(throws: ShellExpansionError.self, "\(word)") {
            try ShellLex().expand(word, environment: Self.environment)
        }
    }

    @Test func unsetMessages() {
        func message(_ word: String) -> String? {
            do {
                _ = try ShellLex().expand(word, environment: ["EMPTY": ""])
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message("${UNSET?must be set}") == "failed to process \"${UNSET?must be set}\": UNSET: must be set")
        #expect(message("${EMPTY:?}") == "failed to process \"${EMPTY:?}\": EMPTY: is not allowed to be empty")
        #expect(message("${UNSET:?}") == "failed to process \"${UNSET:?}\": UNSET: is not allowed to be unset")
    }

    @Test func optionsForHeredocsAndRawText() throws {
        var keep = ShellLex()
        keep.keepsUnsetVariables = true
        #expect(try keep.expand("$Y ${Y} ${Y:-d} ${Y/a/b} $B", environment: ["B": "x"]) == "$Y ${Y} ${Y:-d} ${Y/a/b} x")
        var raw = ShellLex()
        raw.keepsQuotes = true
        raw.keepsEscapes = true
        #expect(try raw.expandWords("a \"b c\" 'd' e\\ f", environment: [:]) == ["a", "\"b c\"", "'d'", "e\\ f"])
        var literal = ShellLex()
        literal.ignoresQuotes = true
        #expect(try literal.expand("say \"$B\" 'x'", environment: ["B": "hi"]) == "say \"hi\" 'x'")
    }

    @Test func backtickEscape() throws {
        let lexer = ShellLex(escapeCharacter: "`")
        #expect(try lexer.expand("a`$B \"q`\"\" c:\\dir", environment: ["B": "x"]) == "a$B q\" c:\\dir")
    }

    @Test func reportsMatchedAndUnmatchedNames() throws {
        let result = try ShellLex().process("$A ${B:-x} ${C} ${D#y} $A", lookup: { $0 == "A" ? "1" : nil })
        #expect(result.value == "1 x   1")
        #expect(result.words == ["1", "x", "1"])
        #expect(result.matched == ["A"])
        #expect(result.unmatched == ["C", "D"], "a use with its own fallback is not undefined")
    }
}
