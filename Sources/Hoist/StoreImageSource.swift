import HoistBuild
import HoistOCI
import HoistStore

/// Resolves `FROM` images from the local store (pulling joins when the registry client does).
struct StoreImageSource: ImageSource {
    let client: Client

    func resolve(_ reference: String, platform: Platform?) async throws -> (config: ImageConfig, layers: [LayerRef]) {
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
