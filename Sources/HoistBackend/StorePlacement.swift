package import HoistBuild

/// A build whose steps run on Hoist's store with this machine's runtime: the native backend's,
/// and the containerd backend's (which builds here and takes the image into its own store).
/// `--load` hands the image to `load`: the Docker daemon natively, containerd's image store.
package struct StorePlacement: BuildPlacement {
    let images: StoreImages
    let request: BuildPlacementRequest
    package let imageSource: any ImageSource
    let load: @Sendable (BuiltImage) async throws -> Void

    package init(request: BuildPlacementRequest, load: @escaping @Sendable (BuiltImage) async throws -> Void) {
        images = StoreImages(store: request.store)
        self.request = request
        self.load = load
        imageSource = StoreImageSource(images: images, policy: request.pullPolicy, configuration: request.registry)
    }

    package func worker(local: NativeWorker) -> any Worker { local }

    package func imageID(_ reference: String) async throws -> String? {
        do {
            return try images.resolve(reference).configDigest.description
        } catch let error as ClientError where error.code == .notFound {
            return nil
        }
    }

    package func publish(_ image: BuiltImage) async throws {
        if request.loadIntoDocker { try await load(image) }
    }

    package func finish(keeping: [String]) async {}
}
