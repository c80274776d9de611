#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistStore
import Synchronization

/// An OCI runtime binary (runc, or crun) and how it has to be started on this host.
///
/// crun refuses the hybrid cgroup layout (cgroup v1 controllers plus a cgroup2 mount at
/// `/sys/fs/cgroup/unified`); there it is started inside a private mount namespace (`unshare
/// -m`) with that cgroup2 mount removed, where it sees plain cgroup v1 — which is what runc
/// uses on such hosts too.
public struct OCIRuntime: Sendable, Hashable, CustomStringConvertible {
    /// `runc` or `crun`.
    public let name: String
    /// The runtime's absolute path.
    public let executable: String
    /// A program and arguments the runtime's command line is appended to (empty: none).
    public let launcher: [String]

    public init(name: String, executable: String, launcher: [String] = []) {
        self.name = name
        self.executable = executable
        self.launcher = launcher
    }

    public var description: String { launcher.isEmpty ? name : "\(name) (in a private mount namespace)" }

    /// runc from PATH; `notFound` when it is not installed.
    public static func runc() throws -> OCIRuntime {
        OCIRuntime(name: "runc", executable: try ExternalProcess.resolve("runc"))
    }

    /// crun from PATH, wrapped as this host's cgroup layout needs; `notFound` when it is not
    /// installed. Whether it then works is ``probe(in:)``'s question.
    public static func crun() throws -> OCIRuntime {
        let executable = try ExternalProcess.resolve("crun")
        guard hasHybridCgroups else { return OCIRuntime(name: "crun", executable: executable) }
        let unshare = try ExternalProcess.resolve("unshare")
        let script = "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$0\" \"$@\""
        return OCIRuntime(
            name: "crun", executable: executable, launcher: [unshare, "-m", "--propagation", "private", "/bin/sh", "-c", script])
    }

    /// crun when it is installed and starts a container here, else runc; probed once per
    /// process, with scratch files under `directory`, and — with `record` — once per boot and
    /// crun binary, the answer being kept in that file. When neither is installed this is runc
    /// by name, and running a container reports it missing (`notFound`).
    public static func preferred(scratch directory: URL, record: URL? = nil) -> OCIRuntime {
        if let known = preferredRuntime.withLock({ $0 }) { return known }
        var chosen = try? crun()
        if let candidate = chosen, !candidate.works(scratch: directory, record: record) { chosen = nil }
        let result = chosen ?? (try? runc()) ?? OCIRuntime(name: "runc", executable: "runc")
        preferredRuntime.withLock { $0 = result }
        return result
    }

    private static let preferredRuntime = Mutex<OCIRuntime?>(nil)

    /// The process that runs `arguments` (the runtime's own, after its name).
    func process(_ arguments: [String]) -> ExternalProcess {
        RuntimeLog.runtime.debug("\(name) \(arguments.joined(separator: " "))")
        guard let program = launcher.first else { return ExternalProcess(executable, arguments) }
        return ExternalProcess(program, Array(launcher.dropFirst()) + [executable] + arguments)
    }

    /// ``probe(in:)``'s answer, from `record` when it was kept there in this boot for this
    /// very executable (path, size and modification time) and launcher; otherwise probed and
    /// kept there. Starting the probe container costs a build tens of milliseconds.
    func works(scratch directory: URL, record: URL?) -> Bool {
        var status = stat()
        guard let record, let boot = ProcFile.read("/proc/sys/kernel/random/boot_id")?.trimmingCharacters(in: .whitespacesAndNewlines),
            !boot.isEmpty, stat(executable, &status) == 0
        else { return probe(in: directory) }
        let identity = ([boot, executable, String(status.st_size), String(status.st_mtim.tv_sec), String(status.st_mtim.tv_nsec)]
            + launcher).joined(separator: " ")
        if let saved = try? String(contentsOf: record, encoding: .utf8), saved.hasPrefix(identity + "\n") {
            return saved == identity + "\nyes\n"
        }
        let works = probe(in: directory)
        try? "\(identity)\n\(works ? "yes" : "no")\n".write(to: record, atomically: true, encoding: .utf8)
        return works
    }

    /// True when a container started with this runtime gets as far as executing its process:
    /// an empty root whose command does not exist must fail at exec and nowhere earlier.
    public func probe(in directory: URL) -> Bool {
        let bundle = directory.appendingPathComponent("probe-\(name)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: bundle) }
        do {
            for sub in ["rootfs/dev", "rootfs/proc", "state"] {
                try FileManager.default.createDirectory(at: bundle.appendingPathComponent(sub), withIntermediateDirectories: true)
            }
            let spec = RuntimeSpec(
                process: RuntimeSpec.Process(args: ["/hoist-probe"]), root: RuntimeSpec.Root(path: "rootfs", readonly: true),
                mounts: [RuntimeSpec.Mount(destination: "/proc", type: "proc", source: "proc")],
                linux: RuntimeSpec.Linux(namespaces: ["pid", "mount", "ipc", "uts", "network"].map { RuntimeSpec.Namespace(type: $0) }))
            try JSONEncoder().encode(spec).write(to: bundle.appendingPathComponent("config.json"))
            let state = bundle.appendingPathComponent("state").path
            var run = process(["--root", state, "run", "--bundle", bundle.path, "hoist-probe"])
            run.standardOutput = .discard
            run.standardError = .collect
            let termination = try run.runBlocking()
            var delete = process(["--root", state, "delete", "--force", "hoist-probe"])
            delete.standardError = .discard
            _ = try? delete.runBlocking()
            let message = termination.errorText.lowercased()
            return message.contains("/hoist-probe") && (message.contains("not found") || message.contains("no such file"))
        } catch {
            return false
        }
    }

    /// cgroup v1 controllers with a cgroup2 mount beside them at /sys/fs/cgroup/unified.
    static var hasHybridCgroups: Bool {
        guard let mounts = ProcFile.read("/proc/self/mountinfo") else { return false }
        return mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4] == "/sys/fs/cgroup/unified", let dash = fields.firstIndex(of: "-") else { return false }
            return fields.count > dash + 1 && fields[dash + 1] == "cgroup2"
        }
    }
}
