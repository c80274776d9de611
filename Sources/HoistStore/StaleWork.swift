#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// What processes killed mid-work leave behind, and the means to clear it: file systems still
/// mounted in their work directories, runtimes still running from them, container directories
/// whose record is gone. What belongs to whom is told by ``WorkDirectory`` and ``Lease``.
enum StaleWork {
    /// Detaches every mount under `directory`, deepest first.
    static func unmountAll(under directory: String) {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        // Mounts can be stacked on one point; passes go on until none is left (or no progress).
        for _ in 0..<10 {
            let stale = mountPoints().filter { $0.hasPrefix(prefix) }.sorted { $0.count > $1.count }
            if stale.isEmpty { return }
            var detached = false
            for mountPoint in stale where umount2(mountPoint, Int32(MNT_DETACH)) == 0 { detached = true }
            if !detached { return }
        }
    }

    /// Sends SIGKILL to every process (but this one) whose command line mentions `text`, and
    /// waits up to five seconds for them to end.
    static func killProcesses(mentioning text: String) {
        let needle = Array(text.utf8)
        var killed: [ProcessIdentity] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(name), pid != getpid(),
                let command = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"),
                command.count >= needle.count, Array(command).firstRange(of: needle) != nil,
                let start = ProcessIdentity.startTime(of: pid)
            else { continue }
            kill(pid, SIGKILL)
            killed.append(ProcessIdentity(pid: pid, startTime: start, bootID: ProcessIdentity.currentBootID))
        }
        for _ in 0..<500 where killed.contains(where: \.isRunning) { usleep(10_000) }
    }

    /// Runs `command` (a program path or name and its arguments) to its end, its output discarded.
    static func runQuietly(_ command: [String]) {
        guard let program = command.first else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program.hasPrefix("/") ? program : "/usr/bin/env")
        process.arguments = program.hasPrefix("/") ? Array(command.dropFirst()) : command
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        process.waitUntilExit()
    }

    /// Removes container directories whose container record is gone (a removal or creation
    /// that died half way), unmounting what is still mounted in them first. A directory made in
    /// the last ten minutes may be a creation in progress (its record comes after it): it stays.
    static func removeContainerDirectories(under directory: String, keeping kept: Set<String>) {
        let recent = Date().addingTimeInterval(-600)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where !kept.contains(name) {
            let path = directory + "/" + name
            let made = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            if let made, made > recent { continue }
            unmountAll(under: path)
            if !mountPoints().contains(where: { $0.hasPrefix(path + "/") }) {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
    }

    /// The mount points of this mount namespace (`/proc/self/mountinfo`, field 5, octal escapes decoded).
    static func mountPoints() -> [String] {
        guard let text = ProcFile.read("/proc/self/mountinfo") else { return [] }
        // Split as bytes: splitting by Characters made reading the table a visible part of
        // every build step, which checks a mount point when it ends.
        return text.utf8.split(separator: UInt8(ascii: "\n")).compactMap { line in
            let fields = line.split(separator: UInt8(ascii: " "), maxSplits: 5)
            return fields.count > 4 ? decode(fields[4]) : nil
        }
    }

    private static func decode(_ field: Substring.UTF8View) -> String {
        var bytes: [UInt8] = []
        var scalars = Array(field)[...]
        while let byte = scalars.popFirst() {
            if byte == UInt8(ascii: "\\"), scalars.count >= 3, let value = UInt8(String(decoding: scalars.prefix(3), as: UTF8.self), radix: 8) {
                bytes.append(value)
                scalars = scalars.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
