public import Foundation
public import HoistBuild
public import HoistRegistry

/// An S2I build, with `s2i build`'s options: what `hoist s2i build SOURCE BUILDER [TAG]` is
/// asked, and what a Swift program hands ``S2IBuilder/build(_:)``.
public struct S2IRequest: Sendable {
    // MARK: Source

    /// The application source: a directory (for a ``repository``, where it is checked out).
    public var source: URL
    /// A git repository (URL or path) to check out and build, at ``sourceRef``.
    public var repository: String?
    /// `-r/--ref`: the branch, tag or commit of ``repository``.
    public var sourceRef: String?
    /// The commit the source is at, for the image's labels (filled in from a checkout).
    public var commit: S2ICommit?
    /// `--context-dir`: the sub-directory of the source that holds the application.
    public var contextDirectory: String?
    /// `--exclude`: a regular expression for source paths left out (default: `.git`); empty
    /// leaves nothing out.
    public var excludePattern = S2ISourceExclusions.defaultPattern

    // MARK: Images

    /// The builder image.
    public var builderImage: String
    /// The output image's name; without one the image is left unnamed.
    public var tag: String?
    /// `-p/--pull-policy`: when the builder image is pulled.
    public var builderPullPolicy = S2IPullPolicy.ifNotPresent
    /// `--runtime-image`: the output is this image with the built artifacts copied in.
    public var runtimeImage: String?
    /// `--runtime-pull-policy`.
    public var runtimePullPolicy = S2IPullPolicy.ifNotPresent
    /// `-a/--runtime-artifact`: what to copy from the built image into the runtime image's
    /// working directory (default: the runtime image's `io.openshift.s2i.assemble-input-files`).
    public var runtimeArtifacts: [S2IPathMapping] = []

    // MARK: Scripts

    /// `-s/--scripts-url`: `file://`, `image://` or `http(s)://`, looked in first.
    public var scriptsURL: String?
    /// `--image-scripts-url`: where the scripts are in the builder when nothing else says.
    public var imageScriptsURL = S2ILabels.defaultImageScriptsURL
    /// `-d/--destination`: where scripts, source and artifacts go (default: the builder's
    /// `io.openshift.s2i.destination`, `io.s2i.destination` or `STI_LOCATION`, else `/tmp`).
    public var destination: String?

    // MARK: Environment and users

    /// `-e NAME=VALUE`, in order.
    public var environment: [String] = []
    /// `-E/--environment-file`.
    public var environmentFile: URL?
    /// `--assemble-user`, over the image's `io.openshift.s2i.assemble-user` label and USER.
    public var assembleUser: String?
    /// `--assemble-runtime-user`, over the runtime image's `io.openshift.s2i.assemble-runtime-user`.
    public var assembleRuntimeUser: String?
    /// `-u/--allowed-uids`: the users the builder and runtime images may run as.
    public var allowedUIDs: AllowedUIDs?

    // MARK: Incremental builds

    /// `--incremental`: restore what `save-artifacts` saves of the previous image.
    public var incremental = false
    /// `--incremental-from-tag`: the previous image when it is not ``tag``.
    public var incrementalFromTag: String?
    /// `--incremental-pull-policy`: when the previous image is pulled.
    public var incrementalPullPolicy = S2IPullPolicy.ifNotPresent
    /// `--rm`: remove the previous image after an incremental build.
    public var removePreviousImage = false

    // MARK: Assemble

    /// `-i/--inject SOURCE:DESTINATION`: files present while assemble runs, truncated after.
    public var injections: [S2IPathMapping] = []
    /// `--network` for assemble: `.sandbox` (a namespace of its own on the bridge network, as
    /// s2i's default is Docker's bridge), `.host` or `.none`.
    public var network = NetworkMode.sandbox
    /// `--cap-drop`: capabilities assemble runs without.
    public var capabilitiesDropped: [String] = []
    /// `--memory`, `--cpu-quota`, `--cpu-period` for assemble.
    public var memoryBytes: Int64?
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64?

    // MARK: Output

    /// `-n/--application-name` (`io.k8s.display-name`; default: the tag).
    public var displayName: String?
    /// `--description` (`io.k8s.description`).
    public var description: String?
    /// `--callback-url`: POSTed `{"success": …, "labels": {…}}` when the build ends.
    public var callbackURL: URL?
    /// `--run`: run the built image afterwards, its output reported as events.
    public var runImage = false
    /// `-q/--quiet`: no assemble output in the events.
    public var quiet = false

    // MARK: Registries

    /// How registries are reached: insecure ones, certificates, credentials.
    public var registry = RegistryConfiguration()
    /// `--dockercfg-path`: the Docker configuration file credentials come from (Docker's
    /// `config.json` or the legacy `.dockercfg` layout); default: Hoist's usual one.
    public var dockerConfigFile: URL?
    /// How pulls are tried again: S2I's 6 retries with 5 s between them, on its retriable
    /// failures (a registry that refuses or drops the connection).
    public var pullRetry = S2IRequest.s2iPullRetry
    /// How long a backend call or a pull may go without progress (S2I's 2-minute Docker API
    /// timeout).
    public var apiTimeout: Duration = .seconds(120)

    /// S2I's pull retries: 6 after the first try, 5 s apart.
    public static let s2iPullRetry = RetryPolicy(maximumAttempts: 7, initialDelay: .seconds(5), maximumDelay: .seconds(5))

    public init(source: URL, builderImage: String, tag: String? = nil) {
        self.source = source
        self.builderImage = builderImage
        self.tag = tag
    }
}

extension S2IRequest {
    /// The application's directory: ``source``, or its ``contextDirectory`` (which must stay
    /// inside it and exist).
    public func applicationDirectory() throws -> URL {
        guard let contextDirectory else { return source }
        let parts = contextDirectory.split(separator: "/").filter { $0 != "." }
        guard !parts.contains("..") else {
            throw S2IError(.invalidArgument, "--context-dir \(contextDirectory) leaves the source")
        }
        let url = parts.reduce(source) { $0.appendingPathComponent(String($1)) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw S2IError(.notFound, "--context-dir \(contextDirectory): no such directory in the source \(source.path)")
        }
        return url
    }

    /// The image an incremental build takes its artifacts from.
    public var previousImage: String? {
        [incrementalFromTag, tag].compactMap { $0 }.first { !$0.isEmpty }
    }
}

/// The commit a build's source came from, as S2I labels the image with it.
public struct S2ICommit: Sendable, Hashable {
    public var id: String
    public var author: String
    public var date: String
    public var message: String
    public var ref: String?

    public init(id: String, author: String, date: String, message: String, ref: String?) {
        self.id = id
        self.author = author
        self.date = date
        self.message = message
        self.ref = ref
    }
}
