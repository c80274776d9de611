#if canImport(Glibc)
    import Glibc
#endif
public import Foundation
import HoistOCI
import Synchronization

extension Store {
    /// The snapshotter for this store: ``OverlaySnapshotter`` when the kernel mounts overlayfs
    /// (checked once per root and process with a real test mount under `snapshots/`),
    /// ``CopySnapshotter`` otherwise. `HOIST_SNAPSHOTTER=overlay|copy` forces the choice.
    public func snapshotter(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any Snapshotter {
        switch environment["HOIST_SNAPSHOTTER"] {
        case "overlay": return try OverlaySnapshotter(store: self)
        case "copy": return try CopySnapshotter(store: self)
        case nil, "": break
        case let other?:
            throw StoreError(.invalidArgument, "unknown HOIST_SNAPSHOTTER \"\(other)\": want overlay or copy")
        }
        return OverlayProbe.supported(under: root.snapshots, scratch: root.temporary)
            ? try OverlaySnapshotter(store: self) : try CopySnapshotter(store: self)
    }
}

/// Whether overlayfs works under a directory, found by mounting one.
enum OverlayProbe {
    private static let results = Mutex<[String: Bool]>([:])

    /// Probes in `scratch` (on the same file system; where garbage collection clears what a
    /// killed probe leaves mounted) and keeps the answer in `directory`.
    static func supported(under directory: URL, scratch: URL) -> Bool {
        if let known = results.withLock({ $0[directory.path] }) { return known }
        // The answer holds until the machine reboots (a new kernel may differ): it is kept on
        // disk with the boot's id, so each hoist process does not mount a probe again.
        let record = directory.appendingPathComponent(".overlay-probe")
        let boot = ProcFile.read("/proc/sys/kernel/random/boot_id")?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let result: Bool
        if !boot.isEmpty, let saved = try? String(contentsOf: record, encoding: .utf8), saved.hasPrefix(boot + " ") {
            result = saved.hasSuffix(" yes")
        } else {
            result = probe(under: scratch)
            if !boot.isEmpty { try? "\(boot) \(result ? "yes" : "no")".write(to: record, atomically: true, encoding: .utf8) }
        }
        results.withLock { $0[directory.path] = result }
        return result
    }

    /// Mounts a two-lower overlay with an upper in a scratch directory, writes through it,
    /// and checks the write landed in the upper.
    private static func probe(under directory: URL) -> Bool {
        let scratch = directory.appendingPathComponent("probe-\(UUID().uuidString)").path
        let names = ["lower1", "lower2", "upper", "work", "merged"]
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do {
            for name in names {
                try FileManager.default.createDirectory(atPath: scratch + "/" + name, withIntermediateDirectories: true)
            }
            let mount = Mount(
                type: "overlay", source: "overlay",
                options: ["index=off", "lowerdir=\(scratch)/lower1:\(scratch)/lower2", "upperdir=\(scratch)/upper", "workdir=\(scratch)/work"]
                    + OverlaySnapshotter.namespaceOptions)
            try mount.mount(at: scratch + "/merged")
            defer { try? Mount.unmount(scratch + "/merged") }
            try Data("probe".utf8).write(to: URL(fileURLWithPath: scratch + "/merged/probe"))
            return FileManager.default.fileExists(atPath: scratch + "/upper/probe")
        } catch {
            return false
        }
    }
}
