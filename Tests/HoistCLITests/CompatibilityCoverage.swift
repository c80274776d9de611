/// What the CLI compatibility suite compared of `hoist` against `/usr/bin/docker`, printed as a
/// table when a test ends (issue 19): the verb, the flags, what was compared (exit code, output,
/// key sets) and how it came out — so a run shows what is covered, not only that it passed.
struct CompatibilityCoverage {
    struct Row {
        let verb: String
        let flags: String
        let compared: String
        let outcome: String
    }

    private(set) var rows: [Row] = []

    /// Records one comparison; `same` says whether the two sides agreed on what was compared.
    mutating func record(_ verb: String, _ flags: String, compared: String, same: Bool) {
        rows.append(Row(verb: verb, flags: flags, compared: compared, outcome: same ? "same" : "DIFFERENT"))
    }

    /// The rows under a header, columns padded to their widest cell.
    func table(_ title: String) -> String {
        let cells = [["VERB", "FLAGS", "COMPARED", "RESULT"]] + rows.map { [$0.verb, $0.flags, $0.compared, $0.outcome] }
        let widths = (0..<4).map { column in cells.map { $0[column].count }.max() ?? 0 }
        let lines = cells.map { row in
            row.enumerated().map { column, cell in
                column == 3 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }
        return "CLI compatibility with docker — \(title) (\(rows.count) comparisons):\n" + lines.joined(separator: "\n")
    }

    /// Prints the table on standard output, where `swift test` shows it.
    func print(_ title: String) {
        Swift.print(table(title))
    }
}
