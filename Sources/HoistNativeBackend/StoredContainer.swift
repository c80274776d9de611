import Foundation
import HoistBackend
import HoistRuntime
import HoistStore

/// A kept container opened up: its record, the settings it runs with, and where its files are.
struct StoredContainer {
    /// What the record's `configuration` holds.
    struct Configuration: Codable {
        var settings: ContainerSettings
        /// What `docker commit` takes over into the new image's config.
        var entrypoint: [String]
        var command: [String]
        /// Its network, ports and address (nil in records of earlier versions: `settings.network`).
        var network: ContainerNetworkRequest?
        /// `--sig-proxy` of a container `hoist run` made, for its foreground run.
        var signalProxy: Bool?
        /// `--stop-signal` or the image's STOPSIGNAL; `--stop-timeout`.
        var stopSignal: String?
        var stopTimeout: Int?
        /// The image's labels with `--label`'s.
        var labels: [String: String]?
        /// `--restart`, honoured by the monitor of a container started in the background.
        var restartPolicy: RestartPolicy?
        /// `--rm`: removed once it has ended.
        var autoRemove: Bool?
    }

    let record: ContainerRecord
    let configuration: Configuration
    /// `containers/<id>`.
    let directory: String

    init(record: ContainerRecord, store: Store) throws {
        self.record = record
        do {
            configuration = try JSONDecoder().decode(Configuration.self, from: record.configuration)
        } catch {
            throw ClientError(.dataLoss, "the settings of container \(record.name) cannot be read", underlying: error)
        }
        directory = store.containerDirectory(record.id).path
    }

    /// The runtime's name for the container.
    var runtimeID: String { "hoist-c-" + record.id }
    var bundle: String { directory + "/bundle" }
    var rootfs: String { bundle + "/rootfs" }
    var files: RuncExecutor.DetachedFiles {
        RuncExecutor.DetachedFiles(
            standardOutput: directory + "/stdout.log", standardError: directory + "/stderr.log", exitStatus: directory + "/exit",
            stopRequest: stoppedFile, logIndex: directory + "/log.index")
    }
    /// Holds the time of the last start.
    var startedFile: String { directory + "/started" }
    /// Present once `hoist stop` has stopped it: its restart policy no longer applies.
    var stoppedFile: String { directory + "/stopped" }
    /// Holds the ID of its network attachment while it has one (see ``ContainerNetworking``).
    var networkAttachmentFile: String { directory + "/network-attachment" }

    /// What it asks of the network at each start.
    var networkRequest: ContainerNetworkRequest {
        configuration.network ?? ContainerNetworkRequest(network: configuration.settings.network == .host ? .host : .none)
    }

    var startedAt: Date? { Self.modificationDate(startedFile) }
    var finishedAt: Date? { Self.modificationDate(files.exitStatus) }

    private static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
