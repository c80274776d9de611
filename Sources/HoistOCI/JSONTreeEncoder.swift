import Foundation

/// Encodes any `Encodable` value straight into a ``JSONValue`` tree, giving the tree that
/// `JSONEncoder` (default strategies) followed by decoding its text as a `JSONValue` gives —
/// without writing and parsing the text, which made canonical encoding the main cost of a
/// cached build (every build step's digest and cache key is a canonical encoding).
///
/// What `JSONEncoder` treats specially is treated the same way: `Data` as Base64 text, `URL` as
/// its absolute string, a nested value that encodes nothing as `{}`. Numbers whose text form
/// decides how they read back (`Float`, `Decimal`, doubles beyond 2^53, unsigned integers
/// beyond `Int64.max`) take that round trip, one number at a time.
struct JSONTreeEncoder {
    /// The tree of `value`.
    ///
    /// - Throws: `EncodingError` as `JSONEncoder` would throw it.
    static func tree(of value: some Encodable) throws -> JSONValue {
        guard let node = try Node.encoding(value, path: nil) else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "Top-level \(type(of: value)) did not encode any values."))
        }
        return node.value
    }

    /// A value under construction: one primitive, or an object or array whose members may
    /// still be added through containers that share the node.
    final class Node {
        var single: JSONValue?
        var object: [String: Node]?
        var array: [Node]?

        init() {}

        init(_ value: JSONValue) {
            single = value
        }

        /// Whether something was encoded into the node.
        var isEmpty: Bool { single == nil && object == nil && array == nil }

        /// The finished tree; an empty node is `{}`, as `JSONEncoder` writes a value that encoded nothing.
        var value: JSONValue {
            if let single { return single }
            if let array { return .array(array.map(\.value)) }
            return .object(object?.mapValues(\.value) ?? [:])
        }

        /// The node of `value`, or nil when it encoded nothing.
        static func encoding(_ value: some Encodable, path: CodingPathLink?) throws -> Node? {
            if let primitive = try primitive(value) { return Node(primitive) }
            let node = Node()
            try value.encode(to: TreeEncoder(node: node, path: path))
            return node.isEmpty ? nil : node
        }

        /// A nested value's node: as ``encoding(_:path:)``, with nothing encoded read as `{}`.
        static func nested(_ value: some Encodable, path: CodingPathLink?) throws -> Node {
            try encoding(value, path: path) ?? Node(.object([:]))
        }

        /// The trees of the types whose tree is not what their own `encode(to:)` would give, and
        /// of common primitives. Types are compared, not cast: a failing cast to a type costs
        /// the runtime a search of every protocol conformance in the program.
        private static func primitive<T: Encodable>(_ value: T) throws -> JSONValue? {
            if T.self == JSONValue.self { return value as? JSONValue }
            if T.self == String.self { return (value as? String).map(JSONValue.string) }
            if T.self == Bool.self { return (value as? Bool).map(JSONValue.bool) }
            if T.self == Int.self { return (value as? Int).map { .integer(Int64($0)) } }
            if T.self == Int64.self { return (value as? Int64).map(JSONValue.integer) }
            if T.self == Double.self, let number = value as? Double { return try JSONTreeEncoder.number(number) }
            if T.self == Data.self { return (value as? Data).map { .string($0.base64EncodedString()) } }
            if T.self == URL.self { return (value as? URL).map { .string($0.absoluteString) } }
            if T.self == Float.self || T.self == Decimal.self { return try JSONTreeEncoder.roundTrip(value) }
            return nil
        }
    }

    static func number(_ value: Double) throws -> JSONValue {
        // Below 2^53 the text JSONEncoder writes reads back as the same double (or as the
        // integer it equals, which canonical output writes alike).
        if value.isFinite, abs(value) < 9_007_199_254_740_992 { return .number(value) }
        return try roundTrip(value)
    }

    static func number(_ value: UInt64) throws -> JSONValue {
        value <= UInt64(Int64.max) ? .integer(Int64(value)) : try roundTrip(value)
    }

    /// The tree `JSONEncoder`'s text of `value` reads back as.
    static func roundTrip(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }
}

/// The `Encoder` that fills one node.
private struct TreeEncoder: Encoder {
    let node: JSONTreeEncoder.Node
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { path?.keys ?? [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if node.object == nil {
            node.single = nil
            node.array = nil
            node.object = [:]
        }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, path: path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if node.array == nil {
            node.single = nil
            node.object = nil
            node.array = []
        }
        return UnkeyedContainer(node: node, path: path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, path: path)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONTreeEncoder.Node
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { path?.keys ?? [] }

    private func set(_ value: JSONValue, _ key: Key) {
        node.object![key.stringValue] = JSONTreeEncoder.Node(value)
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(try JSONTreeEncoder.number(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(try JSONTreeEncoder.roundTrip(value), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(try JSONTreeEncoder.number(UInt64(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(try JSONTreeEncoder.number(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.object![key.stringValue] = try JSONTreeEncoder.Node.nested(value, path: CodingPathLink(path, key))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: child(key), path: CodingPathLink(path, key)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(node: child(key), path: CodingPathLink(path, key)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: child(SuperKey.super), path: CodingPathLink(path, SuperKey.super))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(node: child(key), path: CodingPathLink(path, key))
    }

    private func child(_ key: some CodingKey) -> JSONTreeEncoder.Node {
        if let existing = node.object![key.stringValue] { return existing }
        let child = JSONTreeEncoder.Node()
        node.object![key.stringValue] = child
        return child
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: JSONTreeEncoder.Node
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { path?.keys ?? [] }
    var count: Int { node.array!.count }

    private func append(_ value: JSONValue) {
        node.array!.append(JSONTreeEncoder.Node(value))
    }

    private var nextKey: IndexKey { IndexKey(intValue: count) }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try JSONTreeEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { append(try JSONTreeEncoder.roundTrip(value)) }
    mutating func encode(_ value: Int) throws { append(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { append(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { append(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { append(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { append(.integer(value)) }
    mutating func encode(_ value: UInt) throws { append(try JSONTreeEncoder.number(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { append(.integer(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { append(.integer(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { append(.integer(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { append(try JSONTreeEncoder.number(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = try JSONTreeEncoder.Node.nested(value, path: CodingPathLink(path, nextKey))
        node.array!.append(child)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(node: appendChild(), path: CodingPathLink(path, nextKey)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(node: appendChild(), path: CodingPathLink(path, nextKey)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: appendChild(), path: CodingPathLink(path, nextKey))
    }

    private func appendChild() -> JSONTreeEncoder.Node {
        let child = JSONTreeEncoder.Node()
        node.array!.append(child)
        return child
    }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: JSONTreeEncoder.Node
    let path: CodingPathLink?
    var codingPath: [any CodingKey] { path?.keys ?? [] }

    private func set(_ value: JSONValue) {
        node.single = value
        node.object = nil
        node.array = nil
    }

    mutating func encodeNil() throws { set(.null) }
    mutating func encode(_ value: Bool) throws { set(.bool(value)) }
    mutating func encode(_ value: String) throws { set(.string(value)) }
    mutating func encode(_ value: Double) throws { set(try JSONTreeEncoder.number(value)) }
    mutating func encode(_ value: Float) throws { set(try JSONTreeEncoder.roundTrip(value)) }
    mutating func encode(_ value: Int) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int8) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int16) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int32) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: Int64) throws { set(.integer(value)) }
    mutating func encode(_ value: UInt) throws { set(try JSONTreeEncoder.number(UInt64(value))) }
    mutating func encode(_ value: UInt8) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { set(.integer(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { set(try JSONTreeEncoder.number(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let child = try JSONTreeEncoder.Node.nested(value, path: path)
        node.single = child.single
        node.object = child.object
        node.array = child.array
    }
}

/// A coding path as a link to its parent's: made into an array only when asked for (errors
/// and types that look at their path), not for every value encoded.
final class CodingPathLink {
    let parent: CodingPathLink?
    let key: any CodingKey

    init(_ parent: CodingPathLink?, _ key: any CodingKey) {
        self.parent = parent
        self.key = key
    }

    var keys: [any CodingKey] {
        var keys: [any CodingKey] = []
        var link: CodingPathLink? = self
        while let current = link {
            keys.append(current.key)
            link = current.parent
        }
        return keys.reversed()
    }
}

/// The key of an array element in a coding path.
private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// The key `superEncoder()` writes under, as `JSONEncoder` names it.
private enum SuperKey: String, CodingKey {
    case `super`
}
