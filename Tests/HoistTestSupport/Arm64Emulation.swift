import Foundation
import Synchronization

/// QEMU's aarch64 handler in the kernel's binfmt_misc, set up for a test and put back as it was:
/// binfmt_misc mounted if it was not, the handler registered as Debian's qemu-user-static
/// registers it but with the `F` flag (the interpreter is opened at registration, so it runs
/// inside containers whose root filesystem lacks it). ``restore()`` undoes exactly what was
/// changed: a handler that was there before is registered again as it was.
///
/// binfmt_misc is the host's: tests using this must not run at the same time (one serialized
/// suite holds them).
public final class Arm64Emulation: Sendable {
    public static let directory = "/proc/sys/fs/binfmt_misc"
    public static let handlerName = "qemu-aarch64"
    /// Debian's qemu-user-static interpreter, whose name tells QEMU the `P` flag is set.
    public static let interpreter = "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"
    static let magic = #"\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00"#
    static let mask = #"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"#

    /// Whether this machine can take the setup: root, and qemu-user-static installed.
    public static var isPossible: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: interpreter)
    }

    private let mounted: Bool
    /// The registration line of the handler found on setup, to put back.
    private let previous: String?
    private let registered = Mutex(false)

    /// Mounts binfmt_misc when needed and registers the handler (replacing one without `F`).
    public init() throws {
        let wasMounted = FileManager.default.fileExists(atPath: Self.directory + "/register")
        if !wasMounted { try ExternalCommand.checked(["mount", "-t", "binfmt_misc", "binfmt_misc", Self.directory]) }
        mounted = !wasMounted
        previous = Self.currentRegistration()
        try register()
    }

    /// Registers the handler with `F` (again, after ``unregister()``).
    public func register() throws {
        if let current = Self.currentRegistration(), current.hasSuffix(":F") || current.hasSuffix(":PF") || current.hasSuffix(":FP") {
            return
        }
        Self.remove()
        try Self.write(":\(Self.handlerName):M:0:\(Self.magic):\(Self.mask):\(Self.interpreter):PF", to: Self.directory + "/register")
        registered.withLock { $0 = true }
    }

    /// Removes the handler: aarch64 programs cannot run here until ``register()``.
    public func unregister() {
        Self.remove()
    }

    /// Puts binfmt_misc back as it was found.
    public func restore() {
        Self.remove()
        if let previous { try? Self.write(previous, to: Self.directory + "/register") }
        if mounted { _ = try? ExternalCommand.run(["umount", Self.directory]) }
    }

    private static func remove() {
        let path = directory + "/" + handlerName
        if FileManager.default.fileExists(atPath: path) { try? write("-1", to: path) }
    }

    /// The handler's registration line as it stands, rebuilt from its file; nil when none.
    private static func currentRegistration() -> String? {
        guard let text = try? String(contentsOfFile: directory + "/" + handlerName, encoding: .utf8) else { return nil }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        func escaped(_ hex: String?) -> String {
            guard let hex else { return "" }
            var out = ""
            var index = hex.startIndex
            while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
                out += "\\x" + hex[index..<next]
                index = next
            }
            return out
        }
        return ":\(handlerName):M:\(fields["offset"] ?? "0"):\(escaped(fields["magic"])):\(escaped(fields["mask"])):\(fields["interpreter"] ?? ""):\(fields["flags:"] ?? "")"
    }

    private static func write(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(text.utf8))
    }
}
