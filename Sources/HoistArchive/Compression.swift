import Foundation

/// A layer's compression: how to write it, and what a stream's magic bytes say it is.
public enum Compression: Sendable, Hashable, CustomStringConvertible {
    /// No compression (a plain tar).
    case none
    /// gzip via zlib; `level` 1 (fast) … 9 (small), 6 is gzip's default.
    case gzip(level: Int32)
    /// Zstandard via libzstd; `level` 1 … 19 (22 with long windows), 3 is zstd's default.
    case zstd(level: Int32)

    /// gzip at its default level.
    public static let gzip = Compression.gzip(level: 6)
    /// zstd at its default level.
    public static let zstd = Compression.zstd(level: 3)

    /// How many threads compress a layer unless told otherwise: one per core.
    public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }

    public var description: String {
        switch self {
        case .none: "uncompressed"
        case .gzip(let level): "gzip (level \(level))"
        case .zstd(let level): "zstd (level \(level))"
        }
    }
}

/// A compression format recognised by its first bytes.
public enum DetectedCompression: String, Sendable, Hashable {
    case none
    case gzip
    case zstd
    case bzip2
    case xz

    /// How many leading bytes ``detect(_:)`` needs to decide.
    static let magicLength = 6

    /// The format `prefix` (the first bytes of a stream, up to ``magicLength``) starts.
    public static func detect(_ prefix: some Collection<UInt8>) -> DetectedCompression {
        let bytes = Array(prefix.prefix(magicLength))
        func starts(with magic: [UInt8]) -> Bool { bytes.count >= magic.count && Array(bytes[..<magic.count]) == magic }
        if starts(with: [0x1f, 0x8b]) { return .gzip }
        if starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        // A zstd stream may open with a skippable frame: magic 0x184D2A50 … 0x184D2A5F.
        if bytes.count >= 4, bytes[0] & 0xf0 == 0x50, bytes[1] == 0x2a, bytes[2] == 0x4d, bytes[3] == 0x18 { return .zstd }
        if starts(with: Array("BZh".utf8)) { return .bzip2 }
        if starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        return .none
    }
}
