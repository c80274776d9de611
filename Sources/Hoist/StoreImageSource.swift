import HoistBuild
import HoistOCI
import HoistRegistry
import HoistStore

/// Resolves `FROM` and `COPY --from` images from the local store, pulling them as the pull
/// policy says (`--pull`); each reference is pulled at most once per build.
actor StoreImageSource: ImageSource {
    let client: Client
    let policy: PullPolicy
    let configuration: RegistryConfiguration
    private var pulled: Set<String> = []

    init(client: Client, policy: PullPolicy, configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.client = client
        self.policy = policy
        self.configuration = configuration
    }

    func resolve(_ reference: String, platform: Platform?) async throws -> (config: ImageConfig, layers: [LayerRef]) {
        if pulled.insert(reference).inserted, policy != .never {
            _ = try await client.image(reference, pullPolicy: policy, platform: platform, configuration: configuration)
        }
        let image: LocalImage
        do {
            image = try client.resolve(reference)
        } catch let error as ClientError where error.code == .notFound {
            throw ClientError(.notFound, "base image \(reference) is not in the store (hoist load, hoist import or hoist pull it first)")
        }
        let diffIDs = image.config.rootfs.diffIDs
        guard diffIDs.count == image.manifest.layers.count else {
            throw ClientError(.dataLoss, "image \(reference): its config lists \(diffIDs.count) layers, its manifest \(image.manifest.layers.count)")
        }
        let layers = zip(image.manifest.layers, diffIDs).map { LayerRef(diffID: $1, blob: $0) }
        return (image.config, layers)
    }
}
