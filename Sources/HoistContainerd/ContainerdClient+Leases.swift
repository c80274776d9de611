import Foundation
import GRPCCore
import HoistContainerdAPI
import SwiftProtobuf

/// Leases: what is made under a lease (content, snapshots) is kept from the garbage collector
/// until the lease is deleted or expires, so a pull or an unpack is never collected half-done.
extension ContainerdClient {
    private var leasesService: Containerd_Services_Leases_V1_Leases.Client<Transport> { .init(wrapping: grpc) }

    /// Makes a lease that expires after `expiry` (so a crashed client's lease goes too) and
    /// returns its ID.
    public func createLease(expiry: Duration = .seconds(24 * 3600)) async throws -> String {
        let expires = Date().addingTimeInterval(TimeInterval(expiry.components.seconds))
        let id = "hoist-\(UUID().uuidString.lowercased())"
        return try await call {
            try await leasesService.create(
                .with {
                    $0.id = id
                    $0.labels = ["containerd.io/gc.expire": expires.ISO8601Format()]
                }, metadata: metadata()
            ).lease.id
        }
    }

    /// Deletes lease `id`; what only it kept becomes garbage.
    public func deleteLease(_ id: String) async throws {
        _ = try await call { try await leasesService.delete(.with { $0.id = id }, metadata: metadata()) }
    }

    /// Adds what is there already to lease `id`: a blob (`type` `content`, by digest) or a
    /// snapshot (`snapshots/overlayfs`, by key), so it stays while the lease does.
    public func addToLease(_ id: String, resource: String, type: String) async throws {
        _ = try await call {
            try await leasesService.addResource(
                .with {
                    $0.id = id
                    $0.resource = .with { resourceID in
                        resourceID.id = resource
                        resourceID.type = type
                    }
                }, metadata: metadata())
        }
    }

    /// The IDs of every lease.
    public func leaseIDs() async throws -> [String] {
        try await call { try await leasesService.list(Containerd_Services_Leases_V1_ListRequest(), metadata: metadata()).leases.map(\.id) }
    }

    /// Runs `body` with a new lease, deleted afterwards whether it succeeds or not.
    public func withLease<Result: Sendable>(
        isolation: isolated (any Actor)? = #isolation, _ body: (String) async throws -> Result
    ) async throws -> Result {
        let lease = try await createLease()
        do {
            let result = try await body(lease)
            try await deleteLease(lease)
            return result
        } catch {
            try? await deleteLease(lease)
            throw error
        }
    }
}
