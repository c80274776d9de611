public import Foundation

/// A named volume (`hoist volume ls`): a directory of the store that containers mount by name
/// (`-v NAME:/path`), kept apart from any container's files.
public struct VolumeSummary: Sendable, Hashable, Codable {
    public var name: String
    /// The directory containers see.
    public var mountpoint: String
    public var created: Date
    public var labels: [String: String]

    package init(name: String, mountpoint: String, created: Date, labels: [String: String]) {
        self.name = name
        self.mountpoint = mountpoint
        self.created = created
        self.labels = labels
    }
}
