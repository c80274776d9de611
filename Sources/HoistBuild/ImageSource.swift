public import HoistOCI

/// Resolves an image reference to its config and layers for `FROM` and `COPY --from=image`:
/// from the local store, pulling when the policy says so. Provided by whoever wires the build.
public protocol ImageSource: Sendable {
    func resolve(_ reference: String, platform: Platform?) async throws -> (config: ImageConfig, layers: [LayerRef])
}
