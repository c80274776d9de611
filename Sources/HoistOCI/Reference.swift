/// An image reference — `busybox`, `user/app:1.0`, `localhost:5000/a/b@sha256:…` — parsed and
/// normalised exactly as Docker does (distribution/reference's `ParseNormalizedNamed`).
///
/// A first path component is a registry domain when it contains `.` or `:`, is `localhost`, or
/// has an uppercase letter; otherwise the reference is on Docker Hub (`docker.io`), where a
/// single-component name is an official image under `library/`. `index.docker.io` is written
/// `docker.io`. The repository path is lowercase, at most 255 characters.
public struct Reference: Hashable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    /// The registry domain, with its port: `docker.io`, `localhost:5000`, `[::1]:5000`.
    public let domain: String
    /// The repository path inside the registry: `library/busybox`, `a/b`.
    public let path: String
    /// The tag; nil only when the reference has a digest and no tag.
    public let tag: String?
    /// The digest that pins the content, when given.
    public let digest: Digest?

    /// Docker Hub's domain as references write it.
    public static let dockerHubDomain = "docker.io"
    /// The host that actually serves Docker Hub's registry API.
    public static let dockerHubRegistryHost = "registry-1.docker.io"
    /// The tag a reference gets when it names neither tag nor digest.
    public static let defaultTag = "latest"
    /// The longest repository path a reference may have.
    public static let maximumPathLength = 255

    private static let legacyDockerHubDomain = "index.docker.io"
    private static let officialPrefix = "library/"

    /// Parses and normalises `text` as `docker pull` does.
    ///
    /// - Parameter addingDefaultTag: when true (the default, as `docker pull`), a reference
    ///   with neither tag nor digest gets the tag `latest`; pass false to keep it name-only.
    /// - Throws: ``OCIError`` (`invalidArgument`) naming the input and what is wrong with it.
    public init(parsing text: String, addingDefaultTag: Bool = true) throws(OCIError) {
        func fail(_ why: String) -> OCIError {
            OCIError(.invalidArgument, "invalid reference \"\(text)\": \(why)")
        }
        guard !text.isEmpty else { throw fail("it is empty") }
        if text.utf8.count == 64, text.utf8.allSatisfy(ReferenceGrammar.isLowerHex) {
            throw fail("a 64-character hexadecimal string is an image ID, not a repository name")
        }

        let (domain, remainder) = Self.splitDomain(text)
        let repositoryPart = remainder.prefix { $0 != ":" && $0 != "@" }
        if repositoryPart.lowercased() != repositoryPart {
            throw fail("repository name \"\(repositoryPart)\" must be lowercase")
        }

        // What follows the domain: path[:tag][@digest]. Neither the path nor the tag may hold
        // an "@", so the first one starts the digest.
        var nameAndTag = Substring(remainder)
        var digest: Digest?
        if let at = remainder.firstIndex(of: "@") {
            let digestText = remainder[remainder.index(after: at)...]
            guard ReferenceGrammar.isDigestShaped(digestText) else {
                throw fail("\"\(digestText)\" is not a digest (algorithm:hex)")
            }
            do {
                digest = try Digest(parsing: digestText)
            } catch {
                throw fail(error.message)
            }
            nameAndTag = remainder[..<at]
        }
        var path = nameAndTag
        var tag: String?
        if let colon = nameAndTag.lastIndex(of: ":") {
            path = nameAndTag[..<colon]
            tag = String(nameAndTag[nameAndTag.index(after: colon)...])
        }
        if let tag, !ReferenceGrammar.isValidTag(tag) {
            throw fail("tag \"\(tag)\" must be 1 to 128 of letters, digits, _ . - and not start with . or -")
        }
        if let problem = ReferenceGrammar.domainProblem(domain) {
            throw fail("domain \"\(domain)\" \(problem)")
        }
        if let problem = ReferenceGrammar.pathProblem(path) {
            throw fail(problem)
        }
        guard path.utf8.count <= Self.maximumPathLength else {
            throw fail("repository name must not be more than \(Self.maximumPathLength) characters")
        }
        if addingDefaultTag && tag == nil && digest == nil {
            tag = Self.defaultTag
        }
        self.domain = domain
        self.path = String(path)
        self.tag = tag
        self.digest = digest
    }

    /// Parses `text` as ``init(parsing:addingDefaultTag:)`` does; nil when it is not a reference.
    public init?(_ description: String) {
        guard let parsed = try? Reference(parsing: description) else { return nil }
        self = parsed
    }

    /// A reference from its parts, each checked as parsing would.
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) when a part is not valid.
    public init(domain: String, path: String, tag: String? = nil, digest: Digest? = nil) throws(OCIError) {
        var text = domain + "/" + path
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        let parsed = try Reference(parsing: text, addingDefaultTag: false)
        guard parsed.domain == domain || (domain == Self.legacyDockerHubDomain) else {
            throw OCIError(
                .invalidArgument,
                "invalid reference domain \"\(domain)\": Docker would read it as a Docker Hub namespace; a registry domain needs a dot, a port, an uppercase letter, or to be localhost")
        }
        self = parsed
    }

    /// Splits off the registry domain as Docker does; Docker Hub names gain `library/` when
    /// they have a single component.
    private static func splitDomain(_ text: String) -> (domain: String, remainder: String) {
        guard let slash = text.firstIndex(of: "/") else {
            return (dockerHubDomain, officialPrefix + text)
        }
        let first = String(text[..<slash])
        let rest = String(text[text.index(after: slash)...])
        var domain: String
        var remainder: String
        if first == "localhost" || first.contains(".") || first.contains(":") || first.lowercased() != first {
            (domain, remainder) = (first, rest)
        } else {
            (domain, remainder) = (dockerHubDomain, text)
        }
        if domain == legacyDockerHubDomain { domain = dockerHubDomain }
        if domain == dockerHubDomain && !remainder.contains("/") {
            remainder = officialPrefix + remainder
        }
        return (domain, remainder)
    }

    // MARK: Forms

    /// The full repository name: `docker.io/library/busybox`.
    public var name: String { domain + "/" + path }

    /// The normalised reference: `docker.io/library/busybox:latest`, with the digest after any tag.
    public var description: String { name + suffix }

    /// The name as `docker images` shows it: `busybox`, `user/app`, `localhost:5000/a/b`.
    public var familiarName: String {
        guard domain == Self.dockerHubDomain else { return name }
        if path.hasPrefix(Self.officialPrefix) {
            let rest = path.dropFirst(Self.officialPrefix.count)
            if !rest.contains("/") { return String(rest) }
        }
        return path
    }

    /// The reference as Docker shows it to people: `busybox:latest`, `user/app@sha256:…`.
    public var familiarString: String { familiarName + suffix }

    private var suffix: String {
        (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0.description } ?? "")
    }

    /// The host to contact for the registry API: the domain, except Docker Hub's.
    public var registryHost: String {
        domain == Self.dockerHubDomain ? Self.dockerHubRegistryHost : domain
    }

    /// Whether the reference is on Docker Hub.
    public var isDockerHub: Bool { domain == Self.dockerHubDomain }

    /// The same repository with `tag` (keeping any digest).
    ///
    /// - Throws: ``OCIError`` (`invalidArgument`) when `tag` is not a valid tag.
    public func withTag(_ tag: String) throws(OCIError) -> Reference {
        guard ReferenceGrammar.isValidTag(tag) else {
            throw OCIError(.invalidArgument, "invalid tag \"\(tag)\" for \(name)")
        }
        return Reference(validDomain: domain, path: path, tag: tag, digest: digest)
    }

    /// The same repository pinned to `digest`, without a tag, as Docker pulls by digest.
    public func withDigest(_ digest: Digest) -> Reference {
        Reference(validDomain: domain, path: path, tag: nil, digest: digest)
    }

    /// The repository alone, without tag or digest.
    public var repository: Reference {
        Reference(validDomain: domain, path: path, tag: nil, digest: nil)
    }

    private init(validDomain: String, path: String, tag: String?, digest: Digest?) {
        self.domain = validDomain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    // MARK: Codable

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text, addingDefaultTag: false)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
