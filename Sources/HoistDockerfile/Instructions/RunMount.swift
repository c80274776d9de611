/// How concurrent builds share a cache mount.
public enum CacheSharing: String, Sendable, Hashable, CaseIterable {
    /// Every build uses the same directory at once (the default).
    case shared
    /// A build that finds the cache in use gets a fresh copy.
    case `private`
    /// A build that finds the cache in use waits for it.
    case locked
}

/// A `RUN --mount=…` specification, typed by mount type.
public enum RunMount: Sendable, Hashable {
    /// `type=bind`: files from the context, a stage or an image, read-only unless `rw`.
    case bind(Bind)
    /// `type=cache`: a persistent directory shared between builds.
    case cache(Cache)
    /// `type=tmpfs`: an in-memory file system.
    case tmpfs(Tmpfs)
    /// `type=secret`: a build secret as a file or environment variable.
    case secret(Secret)
    /// `type=ssh`: access to the client's SSH agent.
    case ssh(SSH)

    /// Options of a bind mount.
    public struct Bind: Sendable, Hashable {
        /// Where it appears in the container ("" = the working directory).
        public var target: String
        /// The path inside the source ("" = its root).
        public var source: String
        /// A stage name, index or image to mount from; nil for the build context.
        public var from: String?
        /// Whether writes are refused (default true; writes are discarded anyway).
        public var readOnly: Bool
    }

    /// Options of a cache mount.
    public struct Cache: Sendable, Hashable {
        /// Where it appears in the container.
        public var target: String
        /// The cache's identity; defaults to the target.
        public var id: String?
        /// How concurrent builds share it.
        public var sharing: CacheSharing
        /// A stage or image whose content seeds the cache.
        public var from: String?
        /// The path inside `from`.
        public var source: String
        /// Whether writes are refused (default false).
        public var readOnly: Bool
        /// Permission bits of the cache directory (default 0755).
        public var mode: UInt32?
        /// Owner of the cache directory (default 0).
        public var uid: UInt32?
        /// Group of the cache directory (default 0).
        public var gid: UInt32?

        /// The identity builds share the cache under.
        public var effectiveID: String { id ?? target }
    }

    /// Options of a tmpfs mount.
    public struct Tmpfs: Sendable, Hashable {
        /// Where it appears in the container.
        public var target: String
        /// The size limit in bytes, nil for the default.
        public var size: Int64?
    }

    /// Options of a secret mount.
    public struct Secret: Sendable, Hashable {
        /// The secret's id (`--secret id=…`); defaults to the target's base name.
        public var id: String?
        /// Where the secret file appears; defaults to `/run/secrets/<id>` unless `env` is set.
        public var target: String?
        /// An environment variable that receives the secret instead of (or as well as) a file.
        public var environmentVariable: String?
        /// The source name, an alternative spelling of `id`.
        public var source: String?
        /// Whether a missing secret is an error (default false).
        public var required: Bool
        /// File permission bits (default 0400).
        public var mode: UInt32?
        /// File owner (default 0).
        public var uid: UInt32?
        /// File group (default 0).
        public var gid: UInt32?

        /// The secret id looked up in the build's secrets.
        public var effectiveID: String {
            if let id, !id.isEmpty { return id }
            if let source, !source.isEmpty { return source }
            return target.map { String($0.split(separator: "/").last ?? "") } ?? ""
        }

        /// The file path the secret is mounted at, nil when it only goes to `env`.
        public var effectiveTarget: String? {
            if let target, !target.isEmpty { return target }
            return environmentVariable == nil ? "/run/secrets/" + effectiveID : nil
        }
    }

    /// Options of an SSH agent mount.
    public struct SSH: Sendable, Hashable {
        /// The agent's id (`--ssh id=…`), "default" when not given.
        public var id: String?
        /// Where the agent socket appears; Hoist picks a path when not given.
        public var target: String?
        /// Whether a missing agent is an error (default false).
        public var required: Bool
        /// Socket permission bits (default 0600).
        public var mode: UInt32?
        /// Socket owner (default 0).
        public var uid: UInt32?
        /// Socket group (default 0).
        public var gid: UInt32?

        /// The agent id looked up in the build's SSH sources.
        public var effectiveID: String { id.flatMap { $0.isEmpty ? nil : $0 } ?? "default" }
    }

    /// Parses one `--mount` value (comma-separated `key=value` fields, CSV quoting).
    /// - Parameter expand: applied to every value before it is read (variable expansion).
    /// - Throws: a message for an unknown type or key, a bad number or a forbidden combination.
    public static func parse(_ specification: String, expand: (String) throws -> String = { $0 }) throws -> RunMount {
        try RunMountParser.parse(specification, expand: expand)
    }
}

/// A `--mount` specification that cannot be used.
public struct RunMountError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The human message, in BuildKit's wording.
    public var message: String
    public var description: String { message }
}
