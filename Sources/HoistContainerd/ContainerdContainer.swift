public import Foundation

/// A container record of containerd: metadata only (an OCI runtime spec, the snapshot of its
/// files, the runtime); what runs is its task.
public struct ContainerdContainer: Sendable, Hashable {
    public var id: String
    /// The image name it was made from.
    public var image: String
    public var labels: [String: String]
    /// The runtime (`io.containerd.runc.v2`).
    public var runtime: String
    /// The OCI runtime spec, as JSON.
    public var spec: Data
    public var snapshotter: String
    /// The active snapshot with its root file system.
    public var snapshotKey: String
    public var created: Date
    public var updated: Date

    public init(
        id: String, image: String, labels: [String: String] = [:], runtime: String = ContainerdContainer.runcRuntime, spec: Data,
        snapshotter: String, snapshotKey: String, created: Date = Date(), updated: Date = Date()
    ) {
        self.id = id
        self.image = image
        self.labels = labels
        self.runtime = runtime
        self.spec = spec
        self.snapshotter = snapshotter
        self.snapshotKey = snapshotKey
        self.created = created
        self.updated = updated
    }

    /// The runc shim (`containerd-shim-runc-v2`).
    public static let runcRuntime = "io.containerd.runc.v2"
}

/// A task's process as containerd reports it.
public struct TaskProcess: Sendable, Hashable {
    public var pid: UInt32
    public var status: Status
    /// Its exit status once stopped (128 + n after signal n).
    public var exitStatus: UInt32
    public var exitedAt: Date?

    public enum Status: Sendable, Hashable {
        case created, running, stopped, paused, pausing, unknown
    }
}

/// Where a task's or exec'd process's standard streams go: paths of FIFOs (or `file://` and
/// `binary://` URIs, which the shim handles itself), empty for none.
public struct TaskStdio: Sendable, Hashable {
    public var standardInput: String
    public var standardOutput: String
    public var standardError: String
    public var terminal: Bool

    public init(standardInput: String = "", standardOutput: String = "", standardError: String = "", terminal: Bool = false) {
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.terminal = terminal
    }
}
