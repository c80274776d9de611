public import Foundation

/// A JSON document of the image spec — manifest, index, config, descriptor, layout header —
/// that Hoist reads from bytes, checks, and writes canonically.
public protocol OCIDocument: Codable, Sendable, Hashable {
    /// Checks the rules the spec's schemas and reference validator impose beyond JSON types.
    ///
    /// - Throws: ``OCIError`` saying which rule failed.
    func validate() throws(OCIError)
}

extension OCIDocument {
    /// Decodes a document from JSON bytes, without validating it.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) saying where the JSON or its types were wrong.
    public init(decoding data: Data) throws(OCIError) {
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch let error as DecodingError {
            throw OCIError(.invalidArgument, "invalid \(Self.self) JSON: \(describe(error))")
        } catch {
            throw OCIError(.invalidArgument, "invalid \(Self.self) JSON: \(error)")
        }
    }

    /// Decodes a document from JSON bytes and validates it.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) from decoding or validation.
    public init(validating data: Data) throws(OCIError) {
        try self.init(decoding: data)
        do {
            try validate()
        } catch {
            throw OCIError(error.code, "invalid \(Self.self): \(error.message)")
        }
    }

    /// The document's canonical JSON bytes (see ``CanonicalJSON``).
    public func canonicalJSON() throws(OCIError) -> Data {
        try CanonicalJSON.encode(self)
    }
}

extension ImageManifest: OCIDocument {}
extension ImageIndex: OCIDocument {}
extension ImageConfig: OCIDocument {}
extension Descriptor: OCIDocument {}
extension ImageLayout: OCIDocument {}

/// A decoding error as one line: where in the document, and what was wrong.
private func describe(_ error: DecodingError) -> String {
    func path(_ codingPath: [any CodingKey]) -> String {
        let text = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return text.isEmpty ? "the document" : String(text.drop { $0 == "." })
    }
    switch error {
    case .typeMismatch(let type, let context):
        return "\(path(context.codingPath)): expected \(type)"
    case .valueNotFound(let type, let context):
        return "\(path(context.codingPath)): expected \(type), found null"
    case .keyNotFound(let key, let context):
        return "\(path(context.codingPath + [key])): required member is missing"
    case .dataCorrupted(let context):
        return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
        return "\(error)"
    }
}
