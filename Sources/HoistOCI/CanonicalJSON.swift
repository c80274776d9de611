public import Foundation

/// Canonical JSON: the one byte form Hoist writes for manifests, indexes, configs and
/// descriptors, so that the digest of a document depends only on its content.
///
/// Object keys are sorted by their UTF-8 bytes, there is no insignificant whitespace, and `/`
/// and non-ASCII characters are written as themselves.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) when `value` cannot be encoded as JSON.
    public static func encode(_ value: some Encodable) throws(OCIError) -> Data {
        let tree: JSONValue
        do {
            // Any Codable type takes part through its tree, which is written in one deterministic form.
            tree = try JSONTreeEncoder.tree(of: value)
        } catch {
            throw OCIError(.invalidArgument, "cannot encode \(type(of: value)) as JSON: \(error)")
        }
        return Data(bytes(of: tree))
    }

    /// The canonical bytes of a JSON tree.
    public static func bytes(of value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        value.writeCanonical(to: &out)
        return out
    }

    /// The digest of the canonical bytes of `value`, as a descriptor of it would carry.
    public static func digest(of value: some Encodable, algorithm: Digest.Algorithm = .sha256) throws(OCIError) -> Digest {
        Digest(of: try encode(value), algorithm: algorithm)
    }
}
