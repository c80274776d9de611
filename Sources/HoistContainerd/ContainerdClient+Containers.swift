import Foundation
import GRPCCore
import HoistContainerdAPI
import SwiftProtobuf

/// containerd's container records.
extension ContainerdClient {
    /// The type URL containerd gives an OCI runtime spec in an `Any`.
    static let specTypeURL = "types.containerd.io/opencontainers/runtime-spec/1/Spec"
    /// The type URL of an OCI process spec (for exec).
    static let processTypeURL = "types.containerd.io/opencontainers/runtime-spec/1/Process"

    private var containersService: Containerd_Services_Containers_V1_Containers.Client<Transport> { .init(wrapping: grpc) }

    /// Makes container record `container`; `alreadyExists` when its ID is taken.
    public func createContainer(_ container: ContainerdContainer, lease: String? = nil) async throws {
        _ = try await call {
            try await containersService.create(.with { $0.container = .init(container) }, metadata: metadata(lease: lease))
        }
    }

    /// Container `id`, or nil when there is none.
    public func container(_ id: String) async throws -> ContainerdContainer? {
        do {
            return try await call { ContainerdContainer(try await containersService.get(.with { $0.id = id }, metadata: metadata()).container) }
        } catch let error as ContainerdError where error.code == .notFound {
            return nil
        }
    }

    /// Every container, or those that match one of `filters` (`labels."x"==y`).
    public func containers(filters: [String] = []) async throws -> [ContainerdContainer] {
        try await call {
            try await containersService.list(.with { $0.filters = filters }, metadata: metadata()).containers.map(ContainerdContainer.init)
        }
    }

    /// Sets the labels of container `id` (those given; an empty value removes one).
    public func updateContainerLabels(_ id: String, _ labels: [String: String]) async throws {
        _ = try await call {
            try await containersService.update(
                .with {
                    $0.container = .with { container in
                        container.id = id
                        container.labels = labels.filter { !$0.value.isEmpty }
                    }
                    $0.updateMask = .with { $0.paths = labels.keys.sorted().map { "labels.\($0)" } }
                }, metadata: metadata())
        }
    }

    /// Removes container record `id` (its snapshot stays: remove that yourself).
    public func deleteContainer(_ id: String) async throws {
        _ = try await call { try await containersService.delete(.with { $0.id = id }, metadata: metadata()) }
    }
}

extension ContainerdContainer {
    init(_ container: Containerd_Services_Containers_V1_Container) {
        self.init(
            id: container.id, image: container.image, labels: container.labels, runtime: container.runtime.name,
            spec: container.spec.value, snapshotter: container.snapshotter, snapshotKey: container.snapshotKey,
            created: container.createdAt.date, updated: container.updatedAt.date)
    }
}

extension Containerd_Services_Containers_V1_Container {
    init(_ container: ContainerdContainer) {
        self.init()
        id = container.id
        image = container.image
        labels = container.labels
        runtime = .with { $0.name = container.runtime }
        spec = .with {
            $0.typeURL = ContainerdClient.specTypeURL
            $0.value = container.spec
        }
        snapshotter = container.snapshotter
        snapshotKey = container.snapshotKey
    }
}
