import HoistBackend
package import HoistContainerd

/// A client's connection to containerd, made on first use and kept, in a namespace that must
/// exist — except `default`, which containerd's own clients make when it is missing, and so
/// does this one.
package actor ContainerdConnection {
    nonisolated let address: ContainerdAddress
    private var connection: ContainerdClient?

    package init(address: ContainerdAddress = .fromEnvironment()) {
        self.address = address
    }

    func daemon() async throws -> ContainerdClient {
        if let connection { return connection }
        let made = try ContainerdClient(address)
        if try await !made.namespaceExists(address.namespace) {
            guard address.namespace == ContainerdAddress.defaultNamespace else {
                throw ClientError(
                    .notFound,
                    "containerd namespace \"\(address.namespace)\" does not exist (CONTAINERD_NAMESPACE); make it with `ctr namespaces create \(address.namespace)`")
            }
            do {
                try await made.createNamespace(address.namespace)
            } catch let error as ContainerdError where error.code == .alreadyExists {}
        }
        connection = made
        return made
    }

    /// Closes the connection, if one was made.
    package func close() {
        connection?.close()
        connection = nil
    }
}
