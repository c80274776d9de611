import Foundation
import HoistOCI

/// How the store's build cache keeps a ``BuildResult``: a line per layer when every layer is
/// plain (a descriptor of media type, digest and size), JSON otherwise.
///
/// A rebuild served from the cache reads the result of every step, and each repeats the layers
/// of the steps before it; decoding them as JSON cost more than the rest of such a build.
///
///     hoist-build-result 1
///     layer DIFF_ID MEDIA_TYPE DIGEST SIZE CREATED|-
enum CachedResultCoding {
    private static let header = "hoist-build-result 1"

    static func encode(_ result: BuildResult) throws -> Data {
        if case .layers(let layers, nil) = result, layers.allSatisfy(isPlain) {
            var text = header + "\n"
            for layer in layers {
                text += "layer \(layer.diffID) \(layer.blob.mediaType.rawValue) \(layer.blob.digestString) "
                    + "\(layer.blob.size) \(layer.created ?? "-")\n"
            }
            return Data(text.utf8)
        }
        return try JSONEncoder().encode(result)
    }

    /// The result `data` encodes, or nil when it is neither form (a record to treat as a miss).
    static func decode(_ data: Data) -> BuildResult? {
        var decoder = Decoder()
        return decoder.decode(data)
    }

    /// Decodes records, parsing each distinct layer line once: the results of a chain of steps
    /// share all but their last lines.
    struct Decoder {
        private var layers: [String: LayerRef] = [:]

        mutating func decode(_ data: Data) -> BuildResult? {
            guard data.first != UInt8(ascii: "{") else { return try? JSONDecoder().decode(BuildResult.self, from: data) }
            return data.withUnsafeBytes { bytes in decodeLines(bytes) }
        }

        private mutating func decodeLines(_ bytes: UnsafeRawBufferPointer) -> BuildResult? {
            var result: [LayerRef] = []
            var sawHeader = false
            var start = 0
            for end in bytes.indices where bytes[end] == UInt8(ascii: "\n") {
                let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
                start = end + 1
                guard sawHeader else {
                    guard line == header else { return nil }
                    sawHeader = true
                    continue
                }
                if let known = layers[line] {
                    result.append(known)
                } else {
                    guard let layer = Self.layer(Substring(line)) else { return nil }
                    layers[line] = layer
                    result.append(layer)
                }
            }
            guard sawHeader, start == bytes.count else { return nil }
            return .layers(result, config: nil)
        }

        private static func layer(_ line: Substring) -> LayerRef? {
            let fields = line.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map(Substring.init)
            guard fields.count == 6, fields[0] == "layer", let diffID = try? Digest(parsing: fields[1]),
                let digest = try? Digest(parsing: fields[3]), let size = Int64(fields[4])
            else { return nil }
            let blob = Descriptor(mediaType: MediaType(String(fields[2])), digest: digest, size: size)
            return LayerRef(diffID: diffID, blob: blob, created: fields[5] == "-" ? nil : String(fields[5]))
        }
    }

    /// Whether the line form keeps all of `layer`: no descriptor field but the three, each a
    /// word of printable characters.
    private static func isPlain(_ layer: LayerRef) -> Bool {
        let blob = layer.blob
        guard blob.urls == nil, blob.annotations == nil, blob.platform == nil, blob.artifactType == nil, blob.data == nil,
            blob.unknownFields.isEmpty, (try? blob.digest) != nil
        else { return false }
        func isWord(_ text: String) -> Bool { !text.isEmpty && text.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F } }
        return isWord(blob.mediaType.rawValue) && layer.created.map { isWord($0) && $0 != "-" } ?? true
    }
}
