public import Foundation

/// What `hoist s2i build SOURCE BUILDER TAG` is asked, with `s2i build`'s flags.
public struct S2IRequest: Sendable {
    /// The application source: a directory.
    public var source: URL
    /// The builder image.
    public var builderImage: String
    /// The output image's name.
    public var tag: String?
    /// `--scripts-url`: `file://`, `image://` or `http(s)://`, the first place scripts are looked for.
    public var scriptsURL: String?
    /// `-e NAME=value`, after `.s2i/environment` and `--environment-file`.
    public var environment: [String]
    /// `--environment-file`.
    public var environmentFile: URL?
    /// `--assemble-user`, over the image's `io.openshift.s2i.assemble-user` label and USER.
    public var assembleUser: String?
    /// `--allowed-uids`, e.g. `1-` or `1000-2000,3000`: the user that assembles must be numeric
    /// and inside them.
    public var allowedUIDs: String?
    /// `--image-scripts-url`: where in the builder image scripts are when nothing else says
    /// (after the builder's label); S2I's default is `image:///usr/libexec/s2i`.
    public var imageScriptsURL: String?
    /// `--incremental`: restore what `save-artifacts` gives from the previous image of `tag`.
    public var incremental = false
    /// A git repository (URL or path) to build instead of ``source``, at ``sourceRef``
    /// (default: its default branch); ``source`` is then where it was checked out.
    public var repository: String?
    /// `--ref`: the branch, tag or commit of ``repository``.
    public var sourceRef: String?
    /// What the source's commit was, for the image's labels (filled in from the checkout).
    public var commit: S2ICommit?
    /// `--network` for assemble: `default` (a namespace of its own on the bridge network, as
    /// s2i's default is Docker's bridge), `host` or `none`.
    public var network: String = "default"
    /// `--incremental-pull-policy`: when to pull the previous image of `tag` for an incremental
    /// build (`always`, `if-not-present` (default) or `never`).
    public var incrementalPullPolicy: String = "if-not-present"
    /// `--runtime-image`: the output is this image with the built artifacts copied in.
    public var runtimeImage: String?
    /// `--runtime-artifact SOURCE[:DESTINATION]`: what to copy from the built image into the
    /// runtime image's working directory (default: the runtime image's
    /// `io.openshift.s2i.assemble-input-files` label, `;`-separated).
    public var runtimeArtifacts: [String] = []
    /// `--context-dir`: the sub-directory of the source that holds the application.
    public var contextDirectory: String?
    /// `--application-name` (`io.k8s.display-name`; default: the tag).
    public var displayName: String?
    /// `--description` (`io.k8s.description`).
    public var description: String?
    /// `--cap-drop`: capabilities the assemble steps run without.
    public var capabilitiesDropped: [String] = []
    /// `--memory`: the memory the assemble steps may use, in bytes.
    public var memoryBytes: Int64?
    /// `--cpu-quota` / `--cpu-period`: the CPU time assemble steps get, in microseconds per period.
    public var cpuQuota: Int64?
    public var cpuPeriod: UInt64?

    public init(source: URL, builderImage: String, tag: String? = nil, scriptsURL: String? = nil, environment: [String] = [],
                environmentFile: URL? = nil, assembleUser: String? = nil, allowedUIDs: String? = nil, imageScriptsURL: String? = nil) {
        self.source = source
        self.builderImage = builderImage
        self.tag = tag
        self.scriptsURL = scriptsURL
        self.environment = environment
        self.environmentFile = environmentFile
        self.assembleUser = assembleUser
        self.allowedUIDs = allowedUIDs
        self.imageScriptsURL = imageScriptsURL
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
