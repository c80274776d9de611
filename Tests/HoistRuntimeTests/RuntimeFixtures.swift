#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistRuntime
import HoistStore
import HoistTestSupport
import Synchronization
import Testing

/// Root, runc and mounts: what the executor tests need.
let canRunContainers = getuid() == 0 && Interop.available("runc")

/// The runtimes the executor tests run with: runc, and crun where it is installed and works.
let testRuntimes: [OCIRuntime] = {
    guard canRunContainers, let runc = try? OCIRuntime.runc() else { return [] }
    guard let crun = try? OCIRuntime.crun(), crun.probe(in: FileManager.default.temporaryDirectory) else { return [runc] }
    return [runc, crun]
}()

/// A busybox root file system in a fresh directory, with an executor whose state and bundles
/// live in the same temporary directory.
struct ContainerFixture {
    let directory: TemporaryDirectory
    let rootfs: String
    let executor: RuncExecutor

    let runtime: OCIRuntime

    init(_ runtime: OCIRuntime) throws {
        self.runtime = runtime
        directory = try TemporaryDirectory()
        rootfs = directory.appending("rootfs").path
        try FileManager.default.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
        try ExternalCommand.checked(["tar", "-xf", try Self.busyboxTar(), "-C", rootfs])
        executor = RuncExecutor(runtime: runtime, stateDirectory: directory.appending("state"), bundleDirectory: directory.appending("bundles"))
    }

    /// The busybox rootfs tar, made once and shared (the script's output is reproducible).
    static func busyboxTar() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-test-busybox-rootfs.tar").path
        if FileManager.default.fileExists(atPath: path) { return path }
        let partial = path + ".\(getpid()).\(UUID().uuidString)"
        try Interop.makeBusyboxRootfs(at: URL(fileURLWithPath: partial))
        rename(partial, path)
        return path
    }

    /// Runs `settings` on the fixture's rootfs (or `rootfs`) and collects both streams.
    func run(
        _ settings: ContainerSettings, rootfs: RootFilesystem? = nil, input: ExternalProcess.Input = .none
    ) async throws -> ContainerRun {
        let output = OutputCollector()
        let code = try await executor.run(
            settings, rootfs: rootfs ?? .directory(self.rootfs),
            io: ContainerIO(
                standardInput: input, standardOutput: { output.append($0, error: false) },
                standardError: { output.append($0, error: true) }))
        return ContainerRun(code: code, standardOutput: output.standardOutput, standardError: output.standardError)
    }

    /// Containers the runtime still keeps state for.
    func leftoverContainers() throws -> [String] {
        let state = directory.appending("state").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: state)) ?? []).sorted()
    }

    /// Mounts below the fixture's directory.
    func leftoverMounts() throws -> [String] {
        (ProcFile.read("/proc/self/mountinfo") ?? "").split(separator: "\n")
            .filter { $0.contains(directory.path) }.map(String.init)
    }

    /// Bundles not removed.
    func leftoverBundles() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.appending("bundles").path)) ?? []
    }

    /// Expects nothing to be left: containers, mounts, bundles.
    func expectClean(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let containers = try leftoverContainers()
        let mounts = try leftoverMounts()
        let bundles = leftoverBundles()
        #expect(containers.isEmpty && mounts.isEmpty && bundles.isEmpty,
                "left behind: containers \(containers), mounts \(mounts), bundles \(bundles)", sourceLocation: sourceLocation)
    }
}

/// What a container wrote and how it ended.
struct ContainerRun {
    let code: Int32
    let standardOutput: Data
    let standardError: Data
    var output: String { String(decoding: standardOutput, as: UTF8.self) }
    var error: String { String(decoding: standardError, as: UTF8.self) }
}

/// Collects chunks from the executor's reader threads.
final class OutputCollector: Sendable {
    private let state = Mutex<(out: Data, err: Data)>((Data(), Data()))

    func append(_ chunk: Data, error: Bool) {
        state.withLock { if error { $0.err.append(chunk) } else { $0.out.append(chunk) } }
    }

    var standardOutput: Data { state.withLock { $0.out } }
    var standardError: Data { state.withLock { $0.err } }
}

/// A container that runs `script` with busybox sh.
func shell(_ script: String, configure: (inout ContainerSettings) -> Void = { _ in }) -> ContainerSettings {
    var settings = ContainerSettings(arguments: ["/bin/sh", "-c", script])
    configure(&settings)
    return settings
}
