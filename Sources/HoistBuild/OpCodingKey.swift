/// The one coding key type of the ops' hand-written encoders.
///
/// A compiler-synthesized encoder asks the runtime for a container type of its own coding keys
/// (an enum's, one per case: `KeyedEncodingContainer<Op.ExecCodingKeys>`…) the first time it
/// runs, and the runtime searches every protocol conformance in the program to make each: some
/// twenty-five searches, a tenth of a build served from the cache. These encoders write the very
/// same JSON (the synthesized decoders still read it).
struct OpCodingKey: CodingKey, ExpressibleByStringLiteral {
    let stringValue: String
    var intValue: Int? { nil }

    init(stringLiteral value: String) { stringValue = value }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer<OpCodingKey> {
    /// Encodes a case with one unlabeled payload as the compiler does: `{"case": {"_0": payload}}`.
    mutating func encodeCase(_ name: OpCodingKey, _ payload: some Encodable) throws {
        var nested = nestedContainer(keyedBy: OpCodingKey.self, forKey: name)
        try nested.encode(payload, forKey: "_0")
    }
}
