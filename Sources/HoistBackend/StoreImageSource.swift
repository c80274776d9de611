package import HoistBuild
package import HoistOCI
package import HoistRegistry
import HoistStore

/// Resolves `FROM` and `COPY --from` images from the local store, pulling them as the pull
/// policy says (`--pull`); each reference is pulled at most once per build, and read from the
/// store once: the frontend and the solver both ask for the base image.
package actor StoreImageSource: ImageSource {
    let images: StoreImages
    let policy: PullPolicy
    let configuration: RegistryConfiguration
    private var pulled: Set<String> = []
    private var resolved: [Request: (config: ImageConfig, layers: [LayerRef])] = [:]

    private struct Request: Hashable {
        let reference: String
        let platform: Platform?
    }

    package init(images: StoreImages, policy: PullPolicy, configuration: RegistryConfiguration = RegistryConfiguration()) {
        self.images = images
        self.policy = policy
        self.configuration = configuration
    }

    package func resolve(_ reference: String, platform: Platform?) async throws -> (config: ImageConfig, layers: [LayerRef]) {
        let request = Request(reference: reference, platform: platform)
        if let known = resolved[request] { return known }
        // The policy is applied once per reference; later asks read the store.
        let policy = pulled.insert(reference).inserted ? policy : .never
        let image: LocalImage
        do {
            image = try await images.image(reference, pullPolicy: policy, platform: platform, configuration: configuration)
        } catch let error as ClientError where error.code == .notFound {
            throw ClientError(.notFound, "base image \(reference) is not in the store (hoist load, hoist import or hoist pull it first)")
        }
        let diffIDs = image.config.rootfs.diffIDs
        guard diffIDs.count == image.manifest.layers.count else {
            throw ClientError(.dataLoss, "image \(reference): its config lists \(diffIDs.count) layers, its manifest \(image.manifest.layers.count)")
        }
        let layers = zip(image.manifest.layers, diffIDs).map { LayerRef(diffID: $1, blob: $0) }
        resolved[request] = (image.config, layers)
        return (image.config, layers)
    }
}
