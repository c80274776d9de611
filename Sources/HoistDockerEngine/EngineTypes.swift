public import Foundation

/// `GET /version`.
public struct EngineVersion: Sendable, Hashable, Decodable {
    public var version: String
    public var apiVersion: String
    public var minAPIVersion: String?
    public var os: String?
    public var arch: String?

    enum CodingKeys: String, CodingKey {
        case version = "Version", apiVersion = "ApiVersion", minAPIVersion = "MinAPIVersion", os = "Os", arch = "Arch"
    }
}

/// An image as `GET /images/json` lists it.
public struct EngineImageSummary: Sendable, Hashable, Decodable {
    public var id: String
    public var repoTags: [String]?
    /// `name@sha256:…` for each repository the image was pulled from or pushed to.
    public var repoDigests: [String]?
    public var created: Int64
    public var size: Int64
    public var labels: [String: String]?

    enum CodingKeys: String, CodingKey {
        case id = "Id", repoTags = "RepoTags", repoDigests = "RepoDigests", created = "Created", size = "Size", labels = "Labels"
    }
}

/// One entry of the daemon's answer to an image removal: a name taken off or an image deleted.
public struct EngineImageRemoval: Sendable, Hashable, Decodable {
    public var untagged: String?
    public var deleted: String?
    enum CodingKeys: String, CodingKey { case untagged = "Untagged", deleted = "Deleted" }
}

/// The parts of `GET /images/{name}/json` Hoist uses.
public struct EngineImageDetails: Sendable, Hashable, Decodable {
    public var id: String
    public var repoTags: [String]?
    public var config: Config?
    /// RFC 3339, with nanoseconds.
    public var created: String?
    public var size: Int64?
    public var architecture: String?
    public var os: String?
    public var variant: String?

    public var createdDate: Date? { EngineContainerDetails.date(created) }

    public struct Config: Sendable, Hashable, Decodable {
        public var cmd: [String]?
        public var entrypoint: [String]?
        public var env: [String]?
        public var workingDir: String?
        public var user: String?
        public var labels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case cmd = "Cmd", entrypoint = "Entrypoint", env = "Env", workingDir = "WorkingDir", user = "User", labels = "Labels"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", repoTags = "RepoTags", config = "Config", created = "Created", size = "Size", architecture = "Architecture"
        case os = "Os", variant = "Variant"
    }
}

/// The state part of `GET /containers/{id}/json`.
public struct EngineContainerState: Sendable, Hashable, Decodable {
    /// `created`, `running`, `exited` …
    public var status: String
    public var running: Bool
    public var exitCode: Int32
    public var oomKilled: Bool?

    enum CodingKeys: String, CodingKey {
        case status = "Status", running = "Running", exitCode = "ExitCode", oomKilled = "OOMKilled"
    }
}

/// A finished container's or exec's output and exit code.
public struct EngineRun: Sendable, Hashable {
    public var exitCode: Int32
    public var standardOutput: Data
    public var standardError: Data
    /// Both, in the order the daemon recorded them.
    public var combined: Data
}

struct IDAnswer: Decodable {
    let id: String
    enum CodingKeys: String, CodingKey { case id = "Id" }
}

struct WaitAnswer: Decodable {
    let statusCode: Int32
    let error: WaitError?
    struct WaitError: Decodable {
        let message: String?
        enum CodingKeys: String, CodingKey { case message = "Message" }
    }
    enum CodingKeys: String, CodingKey { case statusCode = "StatusCode", error = "Error" }
}

struct ContainerInspectAnswer: Decodable {
    let state: EngineContainerState
    enum CodingKeys: String, CodingKey { case state = "State" }
}

struct ExecCreateBody: Encodable {
    let cmd: [String]
    let env: [String]?
    let workingDir: String?
    let user: String?
    let attachStdout = true
    let attachStderr = true
    enum CodingKeys: String, CodingKey {
        case cmd = "Cmd", env = "Env", workingDir = "WorkingDir", user = "User", attachStdout = "AttachStdout", attachStderr = "AttachStderr"
    }
}

struct ExecStartBody: Encodable {
    let detach = false
    let tty = false
    enum CodingKeys: String, CodingKey { case detach = "Detach", tty = "Tty" }
}

struct ExecInspectAnswer: Decodable {
    let exitCode: Int32?
    let running: Bool
    enum CodingKeys: String, CodingKey { case exitCode = "ExitCode", running = "Running" }
}

/// The parts of `GET /containers/{id}/json` Hoist shows.
public struct EngineContainerDetails: Sendable, Hashable, Decodable {
    public var id: String
    /// With Docker's leading `/`.
    public var name: String
    /// The image ID.
    public var image: String
    public var path: String
    public var args: [String]
    public var created: String
    public var state: State
    public var config: Config

    public struct State: Sendable, Hashable, Decodable {
        public var status: String
        public var running: Bool
        public var exitCode: Int32
        public var startedAt: String?
        public var finishedAt: String?

        public var startedDate: Date? { EngineContainerDetails.date(startedAt) }
        public var finishedDate: Date? { EngineContainerDetails.date(finishedAt) }

        enum CodingKeys: String, CodingKey {
            case status = "Status", running = "Running", exitCode = "ExitCode", startedAt = "StartedAt", finishedAt = "FinishedAt"
        }
    }

    public struct Config: Sendable, Hashable, Decodable {
        /// The image as it was asked for.
        public var image: String?
        enum CodingKeys: String, CodingKey { case image = "Image" }
    }

    public var createdDate: Date? { Self.date(created) }

    /// Docker's RFC 3339 times with nanoseconds; its zero time reads as nil.
    static func date(_ text: String?) -> Date? {
        guard let text, !text.hasPrefix("0001-") else { return nil }
        let trimmed = text.replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)
        return ISO8601DateFormatter().date(from: trimmed)
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", image = "Image", path = "Path", args = "Args", created = "Created", state = "State"
        case config = "Config"
    }
}

/// One message of the daemon's JSON progress stream (pull, push): a status for a layer
/// (`Downloading`, `Pushed` …) with byte counts, or the error that ends the stream.
public struct EngineProgressMessage: Sendable, Hashable, Decodable {
    /// The layer (a short ID) or tag the message is about.
    public var id: String?
    public var status: String?
    public var progressDetail: Detail?
    /// The daemon's error message, verbatim.
    public var error: String?
    /// The pushed manifest's digest and size, at the end of a push.
    public var aux: Aux?

    public struct Detail: Sendable, Hashable, Decodable {
        public var current: Int64?
        public var total: Int64?
    }

    public struct Aux: Sendable, Hashable, Decodable {
        public var tag: String?
        public var digest: String?
        public var size: Int64?
        enum CodingKeys: String, CodingKey { case tag = "Tag", digest = "Digest", size = "Size" }
    }
}

/// A path in a container, as `HEAD /containers/{id}/archive` describes it.
public struct EnginePathStat: Sendable, Hashable, Decodable {
    public var name: String
    public var size: Int64
    /// Go's `os.FileMode` bits: the permissions, and the type in the high bits.
    public var mode: UInt32
    public var linkTarget: String?

    /// Whether it is a directory (Go's `ModeDir`).
    public var isDirectory: Bool { mode & (1 << 31) != 0 }
}

/// What `POST /images/prune` removed.
public struct EnginePruneAnswer: Sendable, Hashable, Decodable {
    /// Names taken off (`untagged`) and images deleted (`deleted`), in the daemon's order.
    public var imagesDeleted: [EngineImageRemoval]?
    public var spaceReclaimed: Int64

    enum CodingKeys: String, CodingKey { case imagesDeleted = "ImagesDeleted", spaceReclaimed = "SpaceReclaimed" }
}
