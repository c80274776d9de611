public import HoistOCI

/// `--builder-node PLATFORM=ADDRESS`: a Docker Engine elsewhere (a machine of that
/// architecture) that runs a build's `RUN` steps for one platform, as buildx sends a platform
/// to a node of its builder. Hoist's engine still decides what runs: the steps' layers come
/// back into Hoist's store and their cache keys are those of a step run here, so a rebuild is
/// cached whichever engine ran a step, and the platform's image joins the build's index.
public struct BuilderNode: Sendable, Hashable {
    /// The platform whose steps the node runs (normalised: `linux/arm64/v8` is `linux/arm64`).
    public var platform: Platform
    /// The engine's address as `DOCKER_HOST` spells it: `unix:///path/docker.sock` or
    /// `tcp://host:port` (TLS as `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` say).
    public var address: String

    public init(platform: Platform, address: String) {
        self.platform = platform.normalized
        self.address = address
    }

    /// Parses `linux/arm64=unix:///run/arm64.sock`.
    ///
    /// - Throws: ``ClientError`` (`invalidArgument`) naming what is wrong.
    public init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "="), !text[text.index(after: equals)...].isEmpty else {
            throw ClientError(.invalidArgument, "--builder-node \(text): expected PLATFORM=ADDRESS (linux/arm64=unix:///path/docker.sock or tcp://host:port)")
        }
        let platform: Platform
        do {
            platform = try Platform(parsing: String(text[..<equals]))
        } catch {
            throw ClientError(.invalidArgument, "--builder-node \(text): \(error)", underlying: error)
        }
        self.init(platform: platform, address: String(text[text.index(after: equals)...]))
    }

    /// Refuses nodes a build with `platforms` cannot use: two for one platform, or one for a
    /// platform the build is not for (its steps would silently run here instead).
    ///
    /// - Throws: ``ClientError`` (`invalidArgument`).
    public static func check(_ nodes: [BuilderNode], platforms: [Platform]) throws {
        let built = Set(platforms.map(\.normalized))
        var seen: Set<Platform> = []
        for node in nodes {
            guard seen.insert(node.platform).inserted else {
                throw ClientError(.invalidArgument, "--builder-node names \(node.platform) twice")
            }
            guard built.contains(node.platform) else {
                let listed = platforms.isEmpty
                    ? "no --platform: it builds for this host" : "--platform " + platforms.map { $0.normalized.description }.joined(separator: ",")
                throw ClientError(.invalidArgument, "--builder-node \(node.platform)=\(node.address): the build is not for \(node.platform) (\(listed))")
            }
        }
    }
}
