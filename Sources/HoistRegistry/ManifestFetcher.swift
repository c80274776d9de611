import AsyncHTTPClient
import Foundation
import HoistOCI
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Reads manifests and indexes from a repository, checking their digests.
struct ManifestFetcher {
    let transport: RegistryTransport
    let path: String

    /// The media types Hoist reads, the ones it prefers first.
    static let accepted: [MediaType] = [.ociIndex, .ociManifest, .dockerManifestList, .dockerManifest]
    /// Larger manifests are refused, as containerd refuses them.
    static let maximumSize = 4 << 20

    /// The manifest or index `reference` (a tag or a digest) names, and its bytes.
    ///
    /// - Parameter expected: the digest the bytes must have (a digest reference, an index entry).
    func fetch(_ reference: String, expected: Digest?) async throws -> (descriptor: Descriptor, data: Data) {
        let request = RegistryRequest(
            .GET, "/v2/\(path)/manifests/\(reference)", scopes: [RegistryScope.pull(path)],
            headers: ["Accept": Self.accepted.map(\.rawValue).joined(separator: ", ")])
        return try await transport.configuration.retry.run { _ in
            let response = try await transport.send(request, expecting: [200])
            let body: ByteBuffer
            do {
                body = try await transport.collect(response.body, upTo: Self.maximumSize, what: "manifest \(path):\(reference)")
            } catch let error as RegistryError {
                throw error
            } catch is NIOTooManyBytesError {
                throw RegistryError(.invalidArgument, "\(transport.host): manifest \(path):\(reference) is larger than \(Self.maximumSize) bytes")
            } catch {
                throw RegistryTransport.transportFailure(error, what: "\(transport.host) (GET \(request.displayPath))")
            }
            let data = Data(buffer: body)
            let digest = Digest(of: data, algorithm: expected?.algorithm ?? .sha256)
            if let expected, digest != expected {
                throw RegistryError(.dataLoss, "\(transport.host): manifest \(path)@\(expected) arrived with digest \(digest)")
            }
            if let claimed = response.headers.first(name: "Docker-Content-Digest"), claimed.hasPrefix("sha256:"),
                claimed != Digest(of: data).description
            {
                throw RegistryError(.dataLoss, "\(transport.host): manifest \(path):\(reference) does not match its Docker-Content-Digest \(claimed)")
            }
            let mediaType = try Self.mediaType(of: data, contentType: response.headers.first(name: "Content-Type"), what: "\(path):\(reference)")
            return (Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count)), data)
        }
    }

    /// The document's own `mediaType` when it has one, else the Content-Type, else its shape.
    static func mediaType(of data: Data, contentType: String?, what: String) throws -> MediaType {
        struct Probe: Decodable {
            let mediaType: String?
            let manifests: [JSONValue]?
            let schemaVersion: Int?
        }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: data) else {
            throw RegistryError(.invalidArgument, "manifest \(what) is not JSON")
        }
        if probe.schemaVersion == 1 {
            throw RegistryError(.unsupported, "manifest \(what) is Docker schema 1, which Hoist does not read")
        }
        let header = contentType.map { MediaType(String($0.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces)) }
        for candidate in [probe.mediaType.map { MediaType($0) }, header] {
            if let candidate, candidate.isManifest || candidate.isIndex { return candidate }
        }
        return probe.manifests != nil ? .ociIndex : .ociManifest
    }
}
