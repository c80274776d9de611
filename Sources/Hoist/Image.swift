import Foundation
public import HoistRegistry

/// An image by name, as a Swift program uses it: check it is there, pull it, and make
/// containers from it.
///
/// ```swift
/// let run = try await client.image("busybox")
///     .instantiate(.shell("echo hello; exit 3"), .environment(["A": "1"]))
///     .run()
/// print(run.exitCode, run.standardOutput)
/// ```
public struct Image: Sendable {
    public let client: Client
    /// The name or ID the image was asked for by.
    public let name: String
    /// Why the pull of ``Client/image(_:_:)`` failed when the image in the store was used
    /// instead (``ImageOptions/fallsBackToLocalImage``); nil when the pull succeeded or none
    /// was asked for.
    public internal(set) var pullFailure: ContainerError?

    /// Whether the backend has the image.
    public func exists() async -> Bool {
        await client.containerBackend.imageExists(name)
    }

    /// Pulls the image from its registry onto the client's backend (the store natively, the
    /// daemon on docker), for this host's platform, with progress.
    @discardableResult
    public func pull(configuration: RegistryConfiguration = RegistryConfiguration(),
                     progress: @escaping TransferEventHandler = { _ in }) async throws -> ImageTransfer {
        try await ContainerError.during(.pull) {
            try await client.containerBackend.pullImage(name, platform: nil, configuration: configuration, progress: progress)
        }
    }

    /// A container of this image with `options` (not started yet).
    public func instantiate(_ options: ContainerOption...) -> Container {
        Container(image: self, options: options)
    }

    /// A container of this image with `options` (not started yet).
    public func instantiate(_ options: [ContainerOption]) -> Container {
        Container(image: self, options: options)
    }
}

extension Client {
    /// The image called `name` (a reference or an image ID), to inspect, pull or run.
    public func image(_ name: String) -> Image {
        Image(client: self, name: name)
    }
}
