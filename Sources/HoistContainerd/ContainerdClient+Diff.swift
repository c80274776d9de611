import GRPCCore
import HoistContainerdAPI
public import HoistOCI

/// The diff service: applies a layer blob of the content store onto mounts.
extension ContainerdClient {
    /// Applies `layer` (a tar, gzip- or zstd-compressed or not, in the content store) to
    /// `mounts` — an active snapshot's — and returns the uncompressed layer's descriptor
    /// (its digest is the layer's diff ID).
    public func applyLayer(_ layer: Descriptor, to mounts: [ContainerdMount], lease: String? = nil) async throws -> Descriptor {
        try await call {
            let response = try await Containerd_Services_Diff_V1_Diff.Client(wrapping: grpc).apply(
                .with {
                    $0.diff = .init(layer)
                    $0.mounts = mounts.map(Containerd_Types_Mount.init)
                }, metadata: metadata(lease: lease))
            return try Descriptor(response.applied)
        }
    }
}
