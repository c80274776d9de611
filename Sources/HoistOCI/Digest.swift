import Crypto
public import Foundation

/// A content digest as OCI writes it: `algorithm:encoded`, e.g. `sha256:e3b0c442…`.
///
/// Only registered algorithms are accepted (sha256, sha512), with lowercase hex of the exact
/// length, so a `Digest` value is always valid and safe to use as a file name.
public struct Digest: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// A registered digest algorithm.
    public enum Algorithm: String, Sendable, Hashable, CaseIterable, Codable {
        case sha256
        case sha512

        /// The number of hex characters in an encoded digest of this algorithm.
        public var encodedLength: Int {
            switch self {
            case .sha256: 64
            case .sha512: 128
            }
        }
    }

    /// The algorithm that produced the digest.
    public let algorithm: Algorithm
    /// The lowercase hex encoding of the hash.
    public let encoded: String

    /// Parses `algorithm:hex`, throwing ``OCIError`` (`invalidArgument`) when it is not valid.
    public init(parsing text: some StringProtocol) throws(OCIError) {
        // By bytes: digests are parsed by the ten thousand (a build context's stat cache).
        let text = String(text)
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            throw OCIError(.invalidArgument, "invalid digest \"\(text)\": expected algorithm:hex")
        }
        let name = text.utf8[..<colon]
        guard let algorithm = Algorithm.allCases.first(where: { name.elementsEqual($0.rawValue.utf8) }) else {
            throw OCIError(.invalidArgument, "invalid digest \"\(text)\": unsupported algorithm \"\(text[..<colon])\"")
        }
        try self.init(algorithm: algorithm, encoded: String(text[text.utf8.index(after: colon)...]))
    }

    /// Validates `encoded` for `algorithm`.
    public init(algorithm: Algorithm, encoded: String) throws(OCIError) {
        guard encoded.utf8.count == algorithm.encodedLength,
            encoded.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else {
            throw OCIError(
                .invalidArgument,
                "invalid digest \"\(algorithm.rawValue):\(encoded)\": expected \(algorithm.encodedLength) lowercase hex characters")
        }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    /// The digest of `data` under `algorithm` (sha256 unless told).
    public init(of data: some DataProtocol, algorithm: Algorithm = .sha256) {
        var hasher = DigestHasher(algorithm: algorithm)
        hasher.update(data)
        self = hasher.finalize()
    }

    /// `algorithm:encoded`.
    public var description: String { "\(algorithm.rawValue):\(encoded)" }

    /// The form used in content-addressed paths: `sha256/e3b0…`.
    public var pathComponent: String { "\(algorithm.rawValue)/\(encoded)" }

    /// The first 12 hex characters, as `docker images` shows an ID.
    public var shortID: String { String(encoded.prefix(12)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Hashes a stream of bytes incrementally into a ``Digest``, counting the bytes as it goes.
public struct DigestHasher: Sendable {
    private enum State: Sendable {
        case sha256(SHA256)
        case sha512(SHA512)
    }

    private var state: State
    /// The number of bytes hashed so far.
    public private(set) var count: Int64 = 0

    public init(algorithm: Digest.Algorithm = .sha256) {
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        count += Int64(bytes.count)
        switch state {
        case .sha256(var h):
            h.update(bufferPointer: bytes)
            state = .sha256(h)
        case .sha512(var h):
            h.update(bufferPointer: bytes)
            state = .sha512(h)
        }
    }

    /// Adds `data` to the hash.
    public mutating func update(_ data: some DataProtocol) {
        for region in data.regions {
            region.withUnsafeBytes { update($0) }
        }
    }

    /// The digest of everything hashed so far.
    public func finalize() -> Digest {
        let bytes: [UInt8]
        let algorithm: Digest.Algorithm
        switch state {
        case .sha256(let h):
            bytes = Array(h.finalize())
            algorithm = .sha256
        case .sha512(let h):
            bytes = Array(h.finalize())
            algorithm = .sha512
        }
        // Valid by construction: the hex of a full hash of this algorithm.
        return try! Digest(algorithm: algorithm, encoded: hexString(bytes))
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

func hexString(_ bytes: [UInt8]) -> String {
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0x0f)])
    }
    return String(decoding: out, as: UTF8.self)
}
