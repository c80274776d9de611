/// The host side of an exec step's mounts, as ``NativeWorker/prepareMounts(of:inputs:)`` makes
/// them: what to bind and which tmpfs to mount, and what to undo when the step is over (views
/// to unmount, cache mounts to unlock).
public struct StepMounts: Sendable {
    /// Host paths to show in the container.
    public var binds: [CommandSpec.BindMount] = []
    /// tmpfs mounts by destination, with an optional size in bytes.
    public var tmpfs: [String: Int64?] = [:]
    /// `NAME=value` for the command's environment: secrets asked for as variables.
    public var environment: [String] = []
    var releases: [@Sendable () -> Void] = []

    /// Unmounts the views and unlocks the cache mounts.
    public func release() {
        releases.forEach { $0() }
    }
}
