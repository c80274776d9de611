import Foundation
import HoistBackend
import HoistDocker
import HoistOCI
import HoistRegistry
import HoistStore

/// The native backend is the client's own store and runtime.
struct NativeBackend: ContainerBackend {
    let client: Client

    func imageExists(_ name: String) async -> Bool { (try? client.resolve(name)) != nil }
    func pullImage(_ name: String, platform: Platform?, configuration: RegistryConfiguration,
                   progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        let result = try await client.pull(name, platform: platform, configuration: configuration) { progress(.blob($0)) }
        return ImageTransfer(reference: result.reference, digest: result.manifest.digestString, size: result.manifest.size)
    }
    func pushImage(_ name: String, to destination: String?, configuration: RegistryConfiguration,
                   progress: @escaping TransferEventHandler) async throws -> ImageTransfer {
        let result = try await client.push(name, to: destination, configuration: configuration) { progress(.blob($0)) }
        return ImageTransfer(reference: result.reference, digest: result.target.digestString, size: result.target.size)
    }
    func loadFromStore(_ name: String, store: Store) async throws { _ = try client.resolve(name) }
    func buildPlacement(_ request: BuildPlacementRequest) async throws -> any BuildPlacement {
        // `--load` puts the image into the Docker daemon DOCKER_HOST names.
        StorePlacement(request: request) { [store = client.store] image in
            try await DockerBackend.load(image, from: store)
        }
    }
    func images(filters: [String]) async throws -> [ImageSummary] { try client.storeImages(filters: filters) }
    func removeImage(_ name: String, force: Bool) async throws -> [ImageRemoval] { try client.removeStoreImage(name, force: force) }
    func pruneImages(all: Bool, filters: [String]) async throws -> PruneReport { try client.pruneStoreImages(all: all, filters: filters) }
    func saveImages(_ names: [String], format: ImageArchiveFormat, to destination: URL,
                    progress: @escaping TransferProgressHandler) async throws {
        try client.storeImages.save(names, format: format, to: destination, progress: progress)
    }
    func loadImages(from archive: URL, progress: @escaping TransferProgressHandler) async throws -> [ImageSummary] {
        try client.storeImages.load(archive: archive, progress: progress)
    }

    func run(_ image: String, _ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
             standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        try await client.run(image, options, standardOutput: standardOutput, standardError: standardError)
    }
    func createContainer(_ image: String, _ options: RunOptions) async throws -> String {
        await client.removeEndedAutoRemoved()
        return try client.createContainer(image, options)
    }
    func startContainer(_ id: String) async throws { try await client.startContainer(id) }
    func runContainer(_ id: String, standardInput: Data?, standardOutput: @escaping @Sendable (Data) -> Void,
                      standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        try await client.runContainer(id, standardInput: standardInput, standardOutput: standardOutput, standardError: standardError)
    }
    func waitContainer(_ id: String) async throws -> Int32 { try await client.waitContainer(id) }
    func stopContainer(_ id: String, timeout: Int?) async throws { _ = try await client.stopContainer(id, timeout: timeout) }
    func containers(all: Bool) async throws -> [ContainerSummary] {
        await client.removeEndedAutoRemoved()
        return try client.containers(all: all)
    }
    func containerLogs(_ id: String) async throws -> ContainerLogs { try client.containerLogs(id) }
    func container(_ id: String) async throws -> ContainerSummary { try client.container(id) }
    func containerLogs(_ id: String, _ options: LogOptions, handler: @escaping @Sendable (LogEntry) -> Void) async throws {
        try await client.containerLogs(id, options, handler: handler)
    }
    func pauseContainer(_ id: String) async throws { try client.pauseContainer(id) }
    func unpauseContainer(_ id: String) async throws { try client.unpauseContainer(id) }
    func renameContainer(_ id: String, to name: String) async throws { try client.renameContainer(id, to: name) }
    func containerStats(_ id: String) async throws -> ContainerStats { try await client.containerStats(id) }
    func containerProcesses(_ id: String, psArguments: [String]) async throws -> ContainerProcesses {
        try await client.containerProcesses(id, psArguments: psArguments)
    }
    func containerSize(_ id: String) async throws -> ContainerSize { try client.containerSize(id) }
    func exec(_ id: String, _ command: [String], _ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
              standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32 {
        try await client.exec(id, command, options, standardOutput: standardOutput, standardError: standardError)
    }
    func killContainer(_ id: String, signal: String) async throws { try client.killContainer(id, signal: signal) }
    func removeContainer(_ id: String, force: Bool, volumes: Bool) async throws {
        try await client.removeContainer(id, force: force, volumes: volumes)
    }
    func copyIn(_ id: String, archive: Data, into directory: String) async throws {
        try client.copyIn(id, archive: archive, into: directory)
    }
    func copyOut(_ id: String, path: String) async throws -> Data { try client.copyOut(id, path: path) }
    func copyIn(_ id: String, from source: String, to destination: String, archive: Bool) async throws {
        try client.copyIntoStoredContainer(id, from: source, to: destination, archive: archive)
    }
    func copyOut(_ id: String, from source: String, to destination: String, archive: Bool) async throws {
        try client.copyOutOfStoredContainer(id, from: source, to: destination)
    }
    func commit(_ id: String, as reference: String?, changes: [String], message: String?, author: String?) async throws -> String {
        try client.commit(id, as: reference, changes: changes, message: message, author: author).id.description
    }
}
