/// File changes on a root filesystem, as `COPY`, `ADD` and `WORKDIR` make them. Input 0 is the
/// filesystem changed (absent for scratch); copies read from other inputs.
public struct FileOp: Sendable, Hashable, Codable {
    public var actions: [FileAction]

    public init(actions: [FileAction]) {
        self.actions = actions
    }
}

/// Ownership to give created files: numeric, or names resolved in the destination's
/// `/etc/passwd` and `/etc/group`.
public struct FileOwner: Sendable, Hashable, Codable {
    public var user: String
    public var group: String?

    public init(user: String, group: String? = nil) {
        self.user = user
        self.group = group
    }
}

/// One change of a ``FileOp``.
public enum FileAction: Sendable, Hashable, Codable {
    case copy(CopyAction)
    case mkdir(path: String, mode: UInt32, makeParents: Bool, owner: FileOwner?)
    case mkfile(path: String, contents: [UInt8], mode: UInt32, owner: FileOwner?)
    case remove(path: String, allowNotFound: Bool)
    case symlink(target: String, path: String)
}

/// Copies paths from an input into the destination, with Docker's COPY rules.
public struct CopyAction: Sendable, Hashable, Codable {
    /// The input the sources are read from.
    public var sourceInput: Int
    /// Source paths inside that input; may hold wildcards.
    public var sources: [String]
    /// The destination path; a trailing `/` (or several sources) makes it a directory.
    public var destination: String
    public var owner: FileOwner?
    /// Octal (`755`) or symbolic mode for copied files.
    public var mode: String?
    /// Patterns of source paths left out (`COPY --exclude`).
    public var excludes: [String]
    /// Keep the sources' parent directories (`COPY --parents`).
    public var keepParents: Bool
    /// Unpack local tar archives (`ADD`).
    public var unpackArchives: Bool

    public init(sourceInput: Int, sources: [String], destination: String, owner: FileOwner? = nil, mode: String? = nil,
                excludes: [String] = [], keepParents: Bool = false, unpackArchives: Bool = false) {
        self.sourceInput = sourceInput
        self.sources = sources
        self.destination = destination
        self.owner = owner
        self.mode = mode
        self.excludes = excludes
        self.keepParents = keepParents
        self.unpackArchives = unpackArchives
    }
}

extension FileAction {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        switch self {
        case .copy(let copy):
            try container.encodeCase("copy", copy)
        case .mkdir(let path, let mode, let makeParents, let owner):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "mkdir")
            try fields.encode(path, forKey: "path")
            try fields.encode(mode, forKey: "mode")
            try fields.encode(makeParents, forKey: "makeParents")
            try fields.encodeIfPresent(owner, forKey: "owner")
        case .mkfile(let path, let contents, let mode, let owner):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "mkfile")
            try fields.encode(path, forKey: "path")
            try fields.encode(contents, forKey: "contents")
            try fields.encode(mode, forKey: "mode")
            try fields.encodeIfPresent(owner, forKey: "owner")
        case .remove(let path, let allowNotFound):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "remove")
            try fields.encode(path, forKey: "path")
            try fields.encode(allowNotFound, forKey: "allowNotFound")
        case .symlink(let target, let path):
            var fields = container.nestedContainer(keyedBy: OpCodingKey.self, forKey: "symlink")
            try fields.encode(target, forKey: "target")
            try fields.encode(path, forKey: "path")
        }
    }
}

extension FileOp {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        try container.encode(actions, forKey: "actions")
    }
}

extension FileOwner {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        try container.encode(user, forKey: "user")
        try container.encodeIfPresent(group, forKey: "group")
    }
}

extension CopyAction {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: OpCodingKey.self)
        try container.encode(sourceInput, forKey: "sourceInput")
        try container.encode(sources, forKey: "sources")
        try container.encode(destination, forKey: "destination")
        try container.encodeIfPresent(owner, forKey: "owner")
        try container.encodeIfPresent(mode, forKey: "mode")
        try container.encode(excludes, forKey: "excludes")
        try container.encode(keepParents, forKey: "keepParents")
        try container.encode(unpackArchives, forKey: "unpackArchives")
    }
}
