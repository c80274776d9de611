/// A mount as containerd's snapshotter returns it and its tasks take it for their root file
/// system: `overlay` with `lowerdir=…,upperdir=…,workdir=…`, or `bind` of one directory.
public struct ContainerdMount: Sendable, Hashable {
    public var type: String
    public var source: String
    /// Where below the mount point it goes; empty for the mount point itself.
    public var target: String
    public var options: [String]

    public init(type: String, source: String, target: String = "", options: [String]) {
        self.type = type
        self.source = source
        self.target = target
        self.options = options
    }
}
