public import Foundation
public import HoistOCI
public import HoistRuntime

/// A kept container as `hoist ps` lists it.
public struct ContainerSummary: Sendable, Hashable, Codable {
    /// 64 hex digits; Docker shows the first 12.
    public var id: String
    public var name: String
    /// The image as it was asked for.
    public var image: String
    public var imageID: Digest
    /// Entrypoint and command, as run.
    public var command: [String]
    public var created: Date
    public var state: ContainerState
    /// When it last started and ended, if it did.
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Its address on its network while it runs there.
    public var networkAddress: IPv4Address?
    /// Its published ports while it runs, host ports as chosen (`-p 80`, `-P`, `.publish(0, to:)`).
    public var ports: [PortMapping] = []
    /// Its labels (`--label`, with its image's).
    public var labels: [String: String] = [:]
    /// Its processes are frozen (`docker pause`); its state stays `running`, as Docker's
    /// `State.Running` stays true.
    public var paused = false

    /// The first 12 hex digits of the ID, as Docker shows it.
    public var shortID: String { String(id.prefix(12)) }

    package init(id: String, name: String, image: String, imageID: Digest, command: [String], created: Date, state: ContainerState, startedAt: Date? = nil, finishedAt: Date? = nil, networkAddress: IPv4Address? = nil, ports: [PortMapping] = []) {
        self.id = id
        self.name = name
        self.image = image
        self.imageID = imageID
        self.command = command
        self.created = created
        self.state = state
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.networkAddress = networkAddress
        self.ports = ports
    }
}
