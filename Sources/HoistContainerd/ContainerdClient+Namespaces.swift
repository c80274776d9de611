import HoistContainerdAPI
import SwiftProtobuf

extension ContainerdClient {
    /// The daemon's version (`1.6.20~ds1`) and revision.
    public func version() async throws -> (version: String, revision: String) {
        let response = try await call {
            try await Containerd_Services_Version_V1_Version.Client(wrapping: grpc).version(Google_Protobuf_Empty(), metadata: metadata())
        }
        return (response.version, response.revision)
    }

    /// The names of every namespace.
    public func namespaces() async throws -> [String] {
        try await call {
            try await Containerd_Services_Namespaces_V1_Namespaces.Client(wrapping: grpc).list(
                Containerd_Services_Namespaces_V1_ListNamespacesRequest(), metadata: metadata()
            ).namespaces.map(\.name).sorted()
        }
    }

    /// Whether namespace `name` exists. (Asked of the list: containerd answers a get of any
    /// name, made or not.)
    public func namespaceExists(_ name: String) async throws -> Bool {
        try await namespaces().contains(name)
    }

    /// Makes namespace `name` with `labels`; `alreadyExists` when there is one.
    public func createNamespace(_ name: String, labels: [String: String] = [:]) async throws {
        _ = try await call {
            try await Containerd_Services_Namespaces_V1_Namespaces.Client(wrapping: grpc).create(
                .with { $0.namespace = .with { $0.name = name; $0.labels = labels } }, metadata: metadata())
        }
    }

    /// Removes namespace `name`, which must be empty (`failedPrecondition` otherwise).
    public func deleteNamespace(_ name: String) async throws {
        _ = try await call {
            try await Containerd_Services_Namespaces_V1_Namespaces.Client(wrapping: grpc).delete(.with { $0.name = name }, metadata: metadata())
        }
    }
}
