import HoistBuild

/// A build whose steps run on Hoist's store with this machine's runtime: the native backend's,
/// and the containerd backend's (which builds here and takes the image into its own store).
/// `--load` hands the image to `load`: the Docker daemon natively, containerd's image store.
struct StorePlacement: BuildPlacement {
    let client: Client
    let request: BuildPlacementRequest
    let imageSource: any ImageSource
    let load: @Sendable (BuiltImage) async throws -> Void

    init(client: Client, request: BuildPlacementRequest, load: @escaping @Sendable (BuiltImage) async throws -> Void) {
        self.client = client
        self.request = request
        self.load = load
        imageSource = StoreImageSource(client: client, policy: request.pullPolicy, configuration: request.registry)
    }

    func worker(local: NativeWorker) -> any Worker { local }

    func imageID(_ reference: String) async throws -> String? {
        do {
            return try client.resolve(reference).configDigest.description
        } catch let error as ClientError where error.code == .notFound {
            return nil
        }
    }

    func publish(_ image: BuiltImage) async throws {
        if request.loadIntoDocker { try await load(image) }
    }

    func finish(keeping: [String]) async {}
}
