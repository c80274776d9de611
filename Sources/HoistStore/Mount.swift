#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistOCI

/// One file system mount, as a snapshotter returns it and a runtime performs it: `type`
/// (`overlay`, `bind`, `tmpfs` …), `source`, `options` in mount(8) form (`ro`, `rbind`,
/// `lowerdir=…`). Mount it with ``mount(at:)`` and undo it with ``unmount(_:)``.
public struct Mount: Sendable, Hashable, Codable {
    /// The file system type; `bind` for bind mounts (with a `bind` or `rbind` option).
    public var type: String
    /// What is mounted: a directory for binds, a device, or a label such as `overlay`.
    public var source: String
    /// Where below the mount point this goes (nil: the mount point itself).
    public var target: String?
    /// Options as mount(8) spells them; flags are turned into mount(2) flags, the rest are
    /// passed to the file system as its data.
    public var options: [String]

    public init(type: String, source: String, target: String? = nil, options: [String] = []) {
        self.type = type
        self.source = source
        self.target = target
        self.options = options
    }

    /// True when the options make the mount read-only.
    public var isReadOnly: Bool { options.contains("ro") }

    /// Mounts this at `mountPoint` (joined with ``target`` when set), which must exist.
    /// Throws ``StoreError`` with the system's reason.
    public func mount(at mountPoint: String) throws {
        let destination = target.map { mountPoint + "/" + $0 } ?? mountPoint
        let parsed = MountFlags(options)
        let isBind = parsed.flags & MountFlags.bind != 0
        let data = parsed.data.joined(separator: ",")
        let what = "cannot mount \(type) \(source) on \(destination)"
        // An unprivileged process can mount nothing: say what it takes, not the mount's EPERM.
        guard geteuid() == 0 else {
            throw StoreError(
                .failedPrecondition,
                "this needs root or rootless mode: \(what) as user \(HostUser.id); run as root, or enter Hoist's rootless session first (hoist does; a Swift program calls Client.enterRootlessSessionIfNeeded() at the start of main)")
        }
        if type == "overlay" && data.utf8.count >= MountFlags.dataLimit {
            try mountOverlayRelative(at: destination, flags: parsed.flags, data: parsed.data, what: what)
            return
        }
        let fsType = isBind ? "none" : type
        // A bind ignores most flags on the first call: read-only and the like take a remount.
        try systemCall(what) { Glibc.mount(source, destination, fsType, parsed.flags, data.isEmpty ? nil : data) }
        if isBind && parsed.flags & ~(MountFlags.bind | MountFlags.recursive) != 0 {
            let remount = MountFlags.remount | MountFlags.bind | (parsed.flags & ~MountFlags.recursive)
            do {
                try systemCall("\(what) (remount)") { Glibc.mount(nil, destination, nil, remount, nil) }
            } catch {
                try? Mount.unmount(destination)
                throw error
            }
        }
    }

    /// Unmounts `mountPoint`, waiting briefly while it is busy and detaching it lazily as a
    /// last resort, so a cleanup path always ends with nothing mounted there.
    public static func unmount(_ mountPoint: String) throws {
        for _ in 0..<50 {
            if umount2(mountPoint, 0) == 0 { return }
            let code = errno
            if code == EINTR { continue }
            guard code == EBUSY else {
                throw StoreError(errnoCode(code), "cannot unmount \(mountPoint): \(String(cString: strerror(code)))")
            }
            usleep(20_000)
        }
        try systemCall("cannot unmount \(mountPoint)") { umount2(mountPoint, MountFlags.detach) }
    }

    /// Mounts `mounts` in order at `mountPoint`; on failure undoes the ones that succeeded.
    public static func mountAll(_ mounts: [Mount], at mountPoint: String) throws {
        var done: [String] = []
        do {
            for mount in mounts {
                try mount.mount(at: mountPoint)
                done.append(mount.target.map { mountPoint + "/" + $0 } ?? mountPoint)
            }
        } catch {
            for path in done.reversed() { try? unmount(path) }
            throw error
        }
    }

    /// True when something is mounted at `path` (exactly) in this mount namespace.
    public static func isMountPoint(_ path: String) -> Bool {
        // The kernel shows the path without doubled or trailing slashes.
        let normalized = "/" + path.split(separator: "/").joined(separator: "/")
        return StaleWork.mountPoints().contains(normalized)
    }

    /// Unmounts everything `mountAll(_:at:)` mounted there, innermost first.
    public static func unmountAll(_ mounts: [Mount], at mountPoint: String) throws {
        var firstError: (any Error)?
        for mount in mounts.reversed() {
            do {
                try unmount(mount.target.map { mountPoint + "/" + $0 } ?? mountPoint)
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    /// Mounts an overlay whose options exceed a page by giving its directories relative to
    /// their common ancestor, from a thread that has its own working directory (so the rest
    /// of the process keeps its own).
    private func mountOverlayRelative(at destination: String, flags: UInt, data: [String], what: String) throws {
        let directoryKeys = ["lowerdir", "upperdir", "workdir"]
        var paths: [String] = []
        for option in data {
            guard let (key, value) = Self.split(option), directoryKeys.contains(key) else { continue }
            paths += value.split(separator: ":").map(String.init)
        }
        let base = Self.commonAncestor(paths)
        guard base != "/" else {
            throw StoreError(.invalidArgument, "\(what): overlay options are too long and share no parent directory")
        }
        let relativeData = data.map { option -> String in
            guard let (key, value) = Self.split(option), directoryKeys.contains(key) else { return option }
            let relative = value.split(separator: ":").map { String($0.dropFirst(base.count + 1)) }
            return key + "=" + relative.joined(separator: ":")
        }.joined(separator: ",")
        guard relativeData.utf8.count < MountFlags.dataLimit else {
            throw StoreError(.invalidArgument, "\(what): \(paths.count) layers are too many for one overlay mount")
        }
        let absoluteDestination = destination.hasPrefix("/") ? destination : FileManager.default.currentDirectoryPath + "/" + destination
        let result = ThreadResult()
        let thread = Thread {
            // A private fs struct (cwd) for this thread only; it ends with the thread.
            guard let unshare = MountFlags.unshare, unshare(MountFlags.cloneFS) == 0, chdir(base) == 0 else {
                result.finish(errno)
                return
            }
            let status = Glibc.mount("overlay", absoluteDestination, "overlay", flags, relativeData)
            result.finish(status == 0 ? 0 : errno)
        }
        thread.start()
        let code = result.wait()
        guard code == 0 else {
            throw StoreError(errnoCode(code), "\(what): \(String(cString: strerror(code)))")
        }
    }

    private static func split(_ option: String) -> (String, String)? {
        guard let equals = option.firstIndex(of: "=") else { return nil }
        return (String(option[..<equals]), String(option[option.index(after: equals)...]))
    }

    private static func commonAncestor(_ paths: [String]) -> String {
        guard var common = paths.first?.split(separator: "/").dropLast() else { return "/" }
        for path in paths.dropFirst() {
            let components = path.split(separator: "/").dropLast()
            common = common.prefix(zip(common, components).prefix { $0 == $1 }.count)
        }
        return "/" + common.joined(separator: "/")
    }
}

/// mount(2) flags for mount(8) option names, and what is left for the file system.
struct MountFlags {
    static let readOnly: UInt = 1
    static let noSUID: UInt = 2
    static let noDev: UInt = 4
    static let noExec: UInt = 8
    static let remount: UInt = 32
    static let noATime: UInt = 1024
    static let bind: UInt = 4096
    static let recursive: UInt = 16384
    static let relATime: UInt = 1 << 21
    static let strictATime: UInt = 1 << 24
    static let detach: Int32 = 2
    static let cloneFS: Int32 = 0x200
    /// The kernel copies at most a page of mount data.
    static let dataLimit = 4096
    /// unshare(2), which Swift's Glibc module leaves out (it is behind _GNU_SOURCE).
    static let unshare: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "unshare") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    var flags: UInt = 0
    var data: [String] = []

    init(_ options: [String]) {
        for option in options {
            switch option {
            case "ro": flags |= Self.readOnly
            case "rw", "defaults": break
            case "nosuid": flags |= Self.noSUID
            case "nodev": flags |= Self.noDev
            case "noexec": flags |= Self.noExec
            case "noatime": flags |= Self.noATime
            case "relatime": flags |= Self.relATime
            case "strictatime": flags |= Self.strictATime
            case "bind": flags |= Self.bind
            case "rbind": flags |= Self.bind | Self.recursive
            default: data.append(option)
            }
        }
    }
}

/// An errno handed from a helper thread to the caller waiting for it.
private final class ThreadResult: @unchecked Sendable {
    private let condition = NSCondition()
    private var code: Int32?

    func finish(_ value: Int32) {
        condition.lock()
        code = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Int32 {
        condition.lock()
        defer { condition.unlock() }
        while code == nil { condition.wait() }
        return code!
    }
}
