import ArgumentParser
import Foundation
import Hoist

/// `hoist generate systemd NAME`, as `podman generate systemd` spells it.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Generate files that run containers elsewhere.", subcommands: [Systemd.self])

    struct Systemd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "systemd", abstract: "Print a systemd unit that starts and stops a kept container.",
            discussion: """
                Without a daemon, nothing starts Hoist's containers after a reboot: install the \
                unit (/etc/systemd/system/ as root, ~/.config/systemd/user/ otherwise) and enable \
                it. The unit runs this hoist with this store: `hoist start` at start (Type=forking, \
                following the container's monitor), `hoist stop` at stop; the container's own \
                --restart policy still applies.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("restart-policy"), help: ArgumentHelp(
            "systemd's Restart= for the unit: no, on-success, on-failure, on-abnormal, on-watchdog, on-abort or always.", valueName: "policy"))
        var restartPolicy = "on-failure"

        @Option(name: [.short, .customLong("time")], help: "Seconds `hoist stop` waits before killing (default: the container's --stop-timeout, else 10).")
        var time: Int?

        @Flag(name: .long, help: "Write container-NAME.service in the current directory and print its path.")
        var files = false

        @Flag(name: .customLong("no-header"), help: "Leave out the comment lines at the top.")
        var noHeader = false

        @Argument(help: "The container's name or ID.")
        var container: String

        func run() async throws {
            try await reportingErrors {
                var options = SystemdUnitOptions(hoistExecutable: Self.executablePath())
                options.restartPolicy = restartPolicy
                options.stopTimeout = time
                options.header = !noHeader
                let unit = try await global.client().nativeOnly("generate systemd").systemdUnit(forContainer: container, options)
                guard files else {
                    print(unit.text, terminator: "")
                    return
                }
                let path = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(unit.fileName)
                try Data(unit.text.utf8).write(to: path, options: .atomic)
                print(path.path)
            }
        }

        /// This hoist's absolute path, as the kernel knows it.
        static func executablePath() -> String {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        }
    }
}
