import Foundation
public import HoistOCI
public import HoistStore
import HoistContainerdBackend
import HoistDocker
public import HoistNativeBackend

/// The entry point of Hoist's Swift API: images in a local store, their import, export and
/// inspection.
///
/// ```swift
/// let client = try Client()
/// let image = try client.importImage(rootfs: URL(fileURLWithPath: "rootfs.tar"), as: "busybox")
/// print(try await client.images().map(\.repository))
/// ```
public final class Client: Sendable {
    /// The store this client works on.
    public let store: Store

    /// What builds and runs for this client.
    public let backend: Backend
    /// The docker backend, when it is this client's: the daemon's own builder and transfers are reached through it.
    let dockerBackend: DockerBackend?
    /// The containerd backend's connection, made on its first use.
    let containerdConnection = ContainerdConnection()

    /// Where ``Image``, ``Container`` and the `hoist` container commands send their work: this
    /// client's backend.
    public var containerBackend: any ContainerBackend {
        if backend == .containerd { return containerd }
        return dockerBackend ?? native
    }

    /// Hoist's own store and runtime: this client's backend when ``backend`` is native, and on
    /// every backend the home of volumes, networks and the store's disk usage.
    public var native: NativeBackend { NativeBackend(store: store) }

    /// ``native``, or `unsupported` naming `feature` when this client's backend is another.
    public func nativeOnly(_ feature: String) throws -> NativeBackend {
        guard backend == .native else {
            throw ClientError(.unsupported, "\(feature) is for the native backend, not \(backend.rawValue)")
        }
        return native
    }

    /// The containerd backend of this client (whatever ``backend`` is), its containers given
    /// the native runtime's settings.
    var containerd: ContainerdBackend {
        ContainerdBackend(store: store, connection: containerdConnection) { [native] image, config, options in
            try native.containerSettings(image: image, config: config, options)
        }
    }

    /// Closes what the client holds open (its Docker Engine and containerd connections). The
    /// client is not used afterwards; a client that is just dropped closes nothing early, and
    /// its connections go when the process ends.
    public func close() async {
        await dockerBackend?.close()
        await containerdConnection.close()
    }

    /// Opens the store at `root` (default: `$HOIST_ROOT`, else the user's data directory) for
    /// `backend`. Throws `unsupported` when the backend's socket is plainly not there to use
    /// (a daemon that does not answer is found at first use; ``connect(root:backend:)`` checks
    /// first), and `invalidArgument` for ``Backend/automatic``, which only `connect` resolves.
    public init(root: StoreRoot = .default(), backend: Backend = .native) throws {
        guard backend != .automatic else {
            throw ClientError(.invalidArgument, "the automatic choice of a backend needs health checks: use Client.connect(root:backend:)")
        }
        if let problem = Self.quickProblem(backend) {
            throw ClientError(.unsupported, "the \(backend.rawValue) backend cannot be used: \(problem)")
        }
        self.backend = backend
        dockerBackend = backend == .docker ? DockerBackend() : nil
        store = try Store(root: root)
    }

    // MARK: Listing and lookup

    /// The image `name` names: a reference (`busybox`, `localhost:5000/app:1`), an image ID or
    /// a unique prefix of one (`sha256:3f5…`, `3f5…`); of an index, its image for `platform`
    /// (default: this host's).
    public func inspect(_ name: String, platform: Platform? = nil) throws -> ImageDetails {
        let image = try storeImages.resolve(name, platform: platform)
        let names = try store.images(target: try image.target.digest).compactMap(\.name)
        return ImageDetails(
            id: image.configDigest,
            repoTags: try names.map { try Reference(parsing: $0).familiarString },
            digest: try image.target.digest,
            mediaType: image.target.mediaType,
            created: image.config.created,
            architecture: image.config.architecture,
            os: image.config.os,
            variant: image.config.variant,
            config: image.config.config,
            rootFS: image.config.rootfs,
            history: image.config.history,
            size: image.size,
            layers: image.manifest.layers)
    }

    /// The store's images, found by name or ID, loaded and saved.
    var storeImages: StoreImages { StoreImages(store: store) }

    /// Finds the image that `name` designates, or throws `notFound` / `invalidArgument`.
    func resolve(_ name: String) throws -> LocalImage { try storeImages.resolve(name) }

    func parseReference(_ text: String) throws -> Reference { try StoreImages.parseReference(text) }
}
