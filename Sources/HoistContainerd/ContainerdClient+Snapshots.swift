import Foundation
import GRPCCore
import HoistContainerdAPI
import SwiftProtobuf

/// A snapshotter of the daemon (`overlayfs` unless said otherwise): a snapshot is prepared
/// (active, writable) on a committed parent, then committed under a name or removed; a view is
/// a read-only active one. Unpacking an image prepares, applies a layer and commits, layer by
/// layer, naming each by its chain ID.
extension ContainerdClient {
    /// The snapshotter Hoist uses.
    public static let defaultSnapshotter = "overlayfs"

    private var snapshotsService: Containerd_Services_Snapshots_V1_Snapshots.Client<Transport> { .init(wrapping: grpc) }

    /// Makes active snapshot `key` on committed `parent` (nil: empty) and returns its mounts.
    public func prepareSnapshot(
        _ key: String, parent: String?, labels: [String: String] = [:], snapshotter: String = defaultSnapshotter, lease: String? = nil
    ) async throws -> [ContainerdMount] {
        try await call {
            try await snapshotsService.prepare(
                .with {
                    $0.snapshotter = snapshotter
                    $0.key = key
                    $0.parent = parent ?? ""
                    $0.labels = labels
                }, metadata: metadata(lease: lease)
            ).mounts.map(ContainerdMount.init)
        }
    }

    /// Makes read-only snapshot `key` of committed `parent` and returns its mounts.
    public func viewSnapshot(
        _ key: String, parent: String, snapshotter: String = defaultSnapshotter, lease: String? = nil
    ) async throws -> [ContainerdMount] {
        try await call {
            try await snapshotsService.view(
                .with {
                    $0.snapshotter = snapshotter
                    $0.key = key
                    $0.parent = parent
                }, metadata: metadata(lease: lease)
            ).mounts.map(ContainerdMount.init)
        }
    }

    /// The mounts of active snapshot `key`.
    public func snapshotMounts(_ key: String, snapshotter: String = defaultSnapshotter) async throws -> [ContainerdMount] {
        try await call {
            try await snapshotsService.mounts(.with { $0.snapshotter = snapshotter; $0.key = key }, metadata: metadata()).mounts
                .map(ContainerdMount.init)
        }
    }

    /// Commits active snapshot `key` as `name`; the active one is gone afterwards.
    public func commitSnapshot(
        _ key: String, as name: String, labels: [String: String] = [:], snapshotter: String = defaultSnapshotter,
        lease: String? = nil
    ) async throws {
        _ = try await call {
            try await snapshotsService.commit(
                .with {
                    $0.snapshotter = snapshotter
                    $0.key = key
                    $0.name = name
                    $0.labels = labels
                }, metadata: metadata(lease: lease))
        }
    }

    /// Removes snapshot `key` (active, view or committed without children).
    public func removeSnapshot(_ key: String, snapshotter: String = defaultSnapshotter) async throws {
        _ = try await call { try await snapshotsService.remove(.with { $0.snapshotter = snapshotter; $0.key = key }, metadata: metadata()) }
    }

    /// Snapshot `key`, or nil when there is none.
    public func snapshot(_ key: String, snapshotter: String = defaultSnapshotter) async throws -> SnapshotStat? {
        do {
            let response = try await call {
                try await snapshotsService.stat(.with { $0.snapshotter = snapshotter; $0.key = key }, metadata: metadata())
            }
            return SnapshotStat(response.info)
        } catch let error as ContainerdError where error.code == .notFound {
            return nil
        }
    }

    /// Every snapshot of `snapshotter`.
    public func snapshots(snapshotter: String = defaultSnapshotter) async throws -> [SnapshotStat] {
        try await call {
            try await snapshotsService.list(.with { $0.snapshotter = snapshotter }, metadata: metadata()) { response in
                var all: [SnapshotStat] = []
                for try await message in response.messages { all += message.info.map(SnapshotStat.init) }
                return all
            }
        }
    }
}

extension ContainerdMount {
    init(_ mount: Containerd_Types_Mount) {
        self.init(type: mount.type, source: mount.source, target: mount.target, options: mount.options)
    }
}

extension Containerd_Types_Mount {
    init(_ mount: ContainerdMount) {
        self.init()
        type = mount.type
        source = mount.source
        target = mount.target
        options = mount.options
    }
}

extension SnapshotStat {
    init(_ info: Containerd_Services_Snapshots_V1_Info) {
        let kind: Kind = switch info.kind {
        case .view: .view
        case .active: .active
        case .committed: .committed
        default: .unknown
        }
        self.init(name: info.name, parent: info.parent, kind: kind, created: info.createdAt.date, labels: info.labels)
    }
}
