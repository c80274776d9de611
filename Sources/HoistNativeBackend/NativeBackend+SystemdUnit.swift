import Foundation
public import HoistBackend
import HoistRuntime

/// A systemd service unit that starts and stops a kept container, as `podman generate systemd`
/// writes one: nothing restarts Hoist's containers after a reboot (there is no daemon), so a
/// container that should come back is given a unit.
public struct SystemdUnit: Sendable, Hashable {
    /// `container-NAME.service`, where the unit is installed (`/etc/systemd/system/` as root,
    /// `~/.config/systemd/user/` otherwise).
    public let fileName: String
    /// The unit file's text.
    public let text: String
}

/// How ``NativeBackend/systemdUnit(forContainer:_:)`` writes a unit, with `podman generate systemd`'s
/// defaults.
public struct SystemdUnitOptions: Sendable, Hashable {
    /// The `hoist` the unit runs: an absolute path.
    public var hoistExecutable: String
    /// systemd's `Restart=` for the unit (`no`, `on-success`, `on-failure`, `on-abnormal`,
    /// `on-watchdog`, `on-abort`, `always`); the container's own `--restart` policy is still
    /// applied by its monitor.
    public var restartPolicy = "on-failure"
    /// Seconds `hoist stop` waits before killing (default: the container's `--stop-timeout`,
    /// else 10); systemd waits 60 more before it kills the stop command itself.
    public var stopTimeout: Int?
    /// The comment lines naming the unit and what made it.
    public var header = true

    public init(hoistExecutable: String) {
        self.hoistExecutable = hoistExecutable
    }

    /// The values systemd takes for `Restart=`.
    public static let restartPolicies = ["no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"]
}

extension NativeBackend {
    /// A unit that starts kept container `name` with `hoist start` and stops it with `hoist
    /// stop`, on this client's store. `hoist start` returns once the container runs, leaving its
    /// monitor behind, so the unit is `Type=forking` and follows the monitor through the PID
    /// file the monitor writes; the container's restart policy stays with the monitor.
    ///
    /// Units are for this backend only: the other backends' engines restart their own containers
    /// (``Client/nativeOnly(_:)`` says so).
    ///
    /// - Throws: ``ClientError`` `notFound` for no such container, `invalidArgument` for
    ///   a relative `hoist` path, an unknown restart policy, a negative timeout, or a store path
    ///   a unit cannot hold.
    public func systemdUnit(forContainer name: String, _ options: SystemdUnitOptions) throws -> SystemdUnit {
        guard options.hoistExecutable.hasPrefix("/") else {
            throw ClientError(.invalidArgument, "generate systemd: the hoist executable must be an absolute path, not \(options.hoistExecutable)")
        }
        guard SystemdUnitOptions.restartPolicies.contains(options.restartPolicy) else {
            throw ClientError(
                .invalidArgument,
                "generate systemd: restart policy \(options.restartPolicy) is not one of \(SystemdUnitOptions.restartPolicies.joined(separator: ", "))")
        }
        if let timeout = options.stopTimeout, timeout < 0 {
            throw ClientError(.invalidArgument, "generate systemd: the stop timeout cannot be negative")
        }
        let container = try findContainer(name)
        let root = store.root.url.path
        guard !root.contains(where: \.isWhitespace) else {
            throw ClientError(.invalidArgument, "generate systemd: the store path \(root) holds white space, which RequiresMountsFor= cannot take")
        }
        let unitName = "container-\(container.record.name).service"
        let timeout = options.stopTimeout ?? container.configuration.stopTimeout ?? 10
        let hoist = { (arguments: [String]) in
            ([options.hoistExecutable] + arguments).map(Self.systemdQuoted).joined(separator: " ")
        }
        let common = ["--root", root, "--backend", "native"]
        var lines: [String] = []
        if options.header {
            lines += ["# \(unitName)", "# made by hoist generate systemd (Hoist \(HoistVersion.current))", ""]
        }
        lines += [
            "[Unit]",
            "Description=Hoist \(unitName)",
            "Wants=network-online.target",
            "After=network-online.target",
            "RequiresMountsFor=\(Self.systemdSpecifiersEscaped(root))",
            "",
            "[Service]",
            "Restart=\(options.restartPolicy)",
            "TimeoutStopSec=\(timeout + 60)",
            "ExecStart=\(hoist(["start"] + common + [container.record.name]))",
            "ExecStop=\(hoist(["stop"] + common + ["-t", String(timeout), container.record.name]))",
            "ExecStopPost=\(hoist(["stop"] + common + ["-t", String(timeout), container.record.name]))",
            "PIDFile=\(Self.systemdSpecifiersEscaped(container.files.monitorProcessID))",
            "Type=forking",
            "",
            "[Install]",
            "WantedBy=default.target",
        ]
        return SystemdUnit(fileName: unitName, text: lines.joined(separator: "\n") + "\n")
    }

    /// `%` doubled, as systemd reads specifiers in paths and command lines.
    static func systemdSpecifiersEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%%")
    }

    /// One word of an `Exec…=` line: specifiers and variables escaped (`%%`, `$$`), and in
    /// double quotes with `\` and `"` escaped when it holds anything but plain characters.
    static func systemdQuoted(_ word: String) -> String {
        let escaped = systemdSpecifiersEscaped(word).replacingOccurrences(of: "$", with: "$$")
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_.:,+=@%$-")
        if !word.isEmpty && escaped.allSatisfy(plain.contains) { return escaped }
        return "\"" + escaped.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
