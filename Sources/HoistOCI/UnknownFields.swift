/// A coding key for any member name, used to find and write members a type does not model.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The members of the object being decoded whose names are not in `known`, kept as JSON.
func decodeUnknownFields(from decoder: any Decoder, known: Set<String>) throws -> [String: JSONValue] {
    let container = try decoder.container(keyedBy: AnyCodingKey.self)
    var fields: [String: JSONValue] = [:]
    for key in container.allKeys where !known.contains(key.stringValue) {
        fields[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
    }
    return fields
}

/// Writes `fields` into the object being encoded, skipping any whose name the type models
/// itself so a member is never written twice.
func encodeUnknownFields(_ fields: [String: JSONValue], to encoder: any Encoder, known: Set<String>) throws {
    guard !fields.isEmpty else { return }
    var container = encoder.container(keyedBy: AnyCodingKey.self)
    for (name, value) in fields where !known.contains(name) {
        try container.encode(value, forKey: AnyCodingKey(name))
    }
}
