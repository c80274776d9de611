public import Foundation
public import HoistOCI

/// An image as a build resolves it (BuildKit's `ResolveImageConfig`): the manifest's digest,
/// which pins it (`NAME@DIGEST` names exactly this image), and its config both decoded and as
/// stored, with the manifest's bytes.
public struct ResolvedImage: Sendable {
    /// The reference asked for.
    public var reference: String
    /// The digest of the image's manifest (the one for the platform asked for).
    public var digest: Digest
    public var config: ImageConfig
    /// The config exactly as stored: its digest is the image ID.
    public var rawConfig: Data
    /// The manifest exactly as stored: its digest is ``digest``.
    public var rawManifest: Data

    public init(reference: String, digest: Digest, config: ImageConfig, rawConfig: Data, rawManifest: Data) {
        self.reference = reference
        self.digest = digest
        self.config = config
        self.rawConfig = rawConfig
        self.rawManifest = rawManifest
    }

    /// The reference pinned to this image: its name with ``digest`` instead of a tag
    /// (`docker.io/library/busybox@sha256:…`).
    public var pinnedReference: String {
        guard let parsed = try? Reference(parsing: reference, addingDefaultTag: false) else { return "\(reference)@\(digest)" }
        return parsed.withDigest(digest).description
    }
}
