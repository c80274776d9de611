/// BuildKit's `type=…,key=value,…` syntax, as `--output`, `--cache-to` and `--cache-from` take
/// it: one parser for all of them.
struct AttributeList {
    /// The values by key; a key given twice keeps its last value, as BuildKit's parser does.
    var fields: [String: String]

    /// Splits `text` at commas into `key=value` pairs.
    ///
    /// - Throws: ``ClientError`` (`invalidArgument`) naming `option` for a part without `=`.
    init(parsing text: String, option: String) throws {
        fields = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw ClientError(.invalidArgument, "\(option) \(text): \"\(part)\" is not key=value") }
            fields[pair[0]] = pair[1]
        }
    }

    subscript(key: String) -> String? { fields[key] }
}
