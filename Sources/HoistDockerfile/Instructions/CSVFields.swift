/// Splits one line of comma-separated values as Go's `encoding/csv` does for `--mount`:
/// fields may be double-quoted, `""` inside quotes is a quote, and a quote inside an
/// unquoted field is an error.
enum CSVFields {
    static func split(_ line: String) throws(InstructionFailure) -> [String] {
        var fields: [String] = []
        let scalars = Array(line.unicodeScalars)
        var index = 0
        while true {
            var field = String.UnicodeScalarView()
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                var closed = false
                while index < scalars.count {
                    if scalars[index] == "\"" {
                        if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                            field.append("\"")
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    field.append(scalars[index])
                    index += 1
                }
                guard closed else {
                    throw InstructionFailure("extraneous or missing \" in quoted-field")
                }
                guard index == scalars.count || scalars[index] == "," else {
                    throw InstructionFailure("extraneous or missing \" in quoted-field")
                }
            } else {
                while index < scalars.count, scalars[index] != "," {
                    if scalars[index] == "\"" {
                        throw InstructionFailure("bare \" in non-quoted-field")
                    }
                    field.append(scalars[index])
                    index += 1
                }
            }
            fields.append(String(field))
            guard index < scalars.count else { return fields }
            index += 1
        }
    }
}
