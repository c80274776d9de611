import Foundation
import GRPCCore
import HoistContainerdAPI
import HoistOCI
import SwiftProtobuf

/// containerd's image records. Their content (manifests, configs, layers) is in the content
/// store; deleting a record leaves it to the garbage collector.
extension ContainerdClient {
    private var imagesService: Containerd_Services_Images_V1_Images.Client<Transport> { .init(wrapping: grpc) }

    /// The image record `name`, or nil when there is none.
    public func image(_ name: String) async throws -> ContainerdImage? {
        do {
            let response = try await call { try await imagesService.get(.with { $0.name = name }, metadata: metadata()) }
            return try ContainerdImage(response.image)
        } catch let error as ContainerdError where error.code == .notFound {
            return nil
        }
    }

    /// Every image record, or those that match one of containerd's `filters`
    /// (`name==docker.io/library/busybox:latest`, `labels."x"==y`).
    public func images(filters: [String] = []) async throws -> [ContainerdImage] {
        try await call {
            try await imagesService.list(.with { $0.filters = filters }, metadata: metadata()).images.map(ContainerdImage.init)
        }
    }

    /// Makes image record `image`; `alreadyExists` when the name is taken.
    @discardableResult
    public func createImage(_ image: ContainerdImage, lease: String? = nil) async throws -> ContainerdImage {
        try await call {
            try ContainerdImage(try await imagesService.create(.with { $0.image = .init(image) }, metadata: metadata(lease: lease)).image)
        }
    }

    /// Points image record `image.name` at `image.target` with `image.labels`; `notFound` when
    /// there is no such record.
    @discardableResult
    public func updateImage(_ image: ContainerdImage) async throws -> ContainerdImage {
        try await call {
            try ContainerdImage(
                try await imagesService.update(
                    .with {
                        $0.image = .init(image)
                        $0.updateMask = .with { $0.paths = ["target", "labels"] }
                    }, metadata: metadata()
                ).image)
        }
    }

    /// Makes or repoints image record `image.name`.
    @discardableResult
    public func putImage(_ image: ContainerdImage, lease: String? = nil) async throws -> ContainerdImage {
        do {
            return try await createImage(image, lease: lease)
        } catch let error as ContainerdError where error.code == .alreadyExists {
            return try await updateImage(image)
        }
    }

    /// Removes image record `name`; with `synchronous`, returns only after the garbage
    /// collector has run. `notFound` when there is no such record.
    public func deleteImage(_ name: String, synchronous: Bool = false) async throws {
        _ = try await call {
            try await imagesService.delete(.with { $0.name = name; $0.sync = synchronous }, metadata: metadata())
        }
    }
}

extension ContainerdImage {
    init(_ image: Containerd_Services_Images_V1_Image) throws {
        self.init(
            name: image.name, target: try Descriptor(image.target), labels: image.labels, created: image.createdAt.date,
            updated: image.updatedAt.date)
    }
}

extension Containerd_Services_Images_V1_Image {
    init(_ image: ContainerdImage) {
        self.init()
        name = image.name
        target = .init(image.target)
        labels = image.labels
    }
}

extension Descriptor {
    init(_ descriptor: Containerd_Types_Descriptor) throws {
        self.init(
            mediaType: MediaType(descriptor.mediaType), digest: try Digest(parsing: descriptor.digest), size: descriptor.size,
            annotations: descriptor.annotations.isEmpty ? nil : descriptor.annotations)
    }
}

extension Containerd_Types_Descriptor {
    init(_ descriptor: Descriptor) {
        self.init()
        mediaType = descriptor.mediaType.rawValue
        digest = descriptor.digestString
        size = descriptor.size
        annotations = descriptor.annotations ?? [:]
    }
}
