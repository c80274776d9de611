public import Foundation

/// Where a test finds the tools and data it works with.
public enum Interop {
    /// The package's root directory.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared/conformance/NAME` beside the package, read in place.
    public static func conformance(_ name: String) -> URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/\(name)")
    }

    /// CI sets HOIST_REQUIRE_INTEROP=1: there a missing tool fails the test instead of skipping it.
    public static let required = ProcessInfo.processInfo.environment["HOIST_REQUIRE_INTEROP"] == "1"

    /// True when `tool` is on PATH (or required, so that the test runs and reports it missing).
    public static func available(_ tool: String) -> Bool {
        required || (try? ExternalCommand.run(["sh", "-c", "command -v \(tool)"]).status) == 0
    }

    /// The Debian docker client (the newer one first on PATH lacks BuildKit support here).
    public static let docker = "/usr/bin/docker"

    /// True when a Docker daemon answers (or interop is required).
    public static var dockerAvailable: Bool {
        required || (try? ExternalCommand.run([docker, "version"]).status) == 0
    }

    /// True when running as root (needed for mounts, mknod, chown).
    public static var isRoot: Bool { getuid() == 0 }

    /// Writes the busybox root filesystem tar of `scripts/make-busybox-rootfs.sh` to `path`,
    /// for the Debian architecture `architecture` (`arm64` …; nil: the host's).
    public static func makeBusyboxRootfs(at path: URL, architecture: String? = nil) throws {
        try ExternalCommand.checked(
            [packageRoot.appendingPathComponent("scripts/make-busybox-rootfs.sh").path, path.path] + (architecture.map { [$0] } ?? []))
    }

    /// Whether Debian's arm64 busybox-static is at hand (scripts/install-deps.sh fetches it).
    public static var hasArm64Busybox: Bool {
        let archives = (try? FileManager.default.contentsOfDirectory(atPath: "/var/cache/apt/archives")) ?? []
        return archives.contains { $0.hasPrefix("busybox-static_") && $0.hasSuffix("_arm64.deb") }
    }
}

extension Interop {
    /// The `hoist` executable built beside the test bundle.
    public static var hoistExecutable: String { builtExecutable("hoist") }

    /// The package's executable `name` (`hoist`, the examples) built beside the test bundle.
    public static func builtExecutable(_ name: String) -> String {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests.path }
        return packageRoot.appendingPathComponent(".build/debug/\(name)").path
    }

    /// Runs `hoist` with `arguments` on the store at `root`.
    /// Starts `hoist` on the store `root` without waiting for it (its output discarded), for
    /// tests that run several at once or kill one.
    public static func launchHoist(_ arguments: [String], root: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: hoistExecutable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(["HOIST_ROOT": root.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    public static func hoist(_ arguments: [String], root: URL, input: Data? = nil) throws -> ExternalCommand.Output {
        try ExternalCommand.run([hoistExecutable] + arguments, input: input, environment: ["HOIST_ROOT": root.path])
    }
}
