import Foundation
public import HoistOCI

/// Which platforms' programs this machine can run: its own natively, others through a handler
/// the kernel's binfmt_misc has registered for their ELF header (QEMU user emulation, Debian's
/// `qemu-user-static`).
///
/// A handler serves containers only with the `F` flag: the kernel then opens the interpreter
/// when it is registered, so it need not be inside the container's root filesystem.
public struct PlatformSupport: Sendable {
    /// How a platform's programs run here.
    public enum Verdict: Sendable, Hashable {
        /// On this CPU, as they are.
        case native
        /// Through the binfmt_misc handler `handler`, whose interpreter is `interpreter`.
        case emulated(handler: String, interpreter: String)
        /// Not at all, and why (with what to install or register).
        case unavailable(reason: String)

        /// Whether the platform's programs run here.
        public var canRun: Bool {
            if case .unavailable = self { false } else { true }
        }
    }

    /// One handler of binfmt_misc, as its file under the mount point describes it.
    public struct Handler: Sendable, Hashable {
        /// The file name it was registered under (`qemu-aarch64`).
        public var name: String
        public var enabled: Bool
        public var interpreter: String
        /// The registration flags (`F`, `P`, `C`, `O`).
        public var flags: String
        public var offset: Int
        public var magic: [UInt8]
        public var mask: [UInt8]

        /// Whether this handler takes a program starting with `header`.
        func matches(_ header: [UInt8]) -> Bool {
            guard offset + magic.count <= header.count else { return false }
            for index in magic.indices {
                let mask = index < self.mask.count ? self.mask[index] : 0xff
                if (header[offset + index] ^ magic[index]) & mask != 0 { return false }
            }
            return true
        }
    }

    /// Where binfmt_misc is mounted.
    public let directory: String
    /// Whether binfmt_misc is mounted there and enabled as a whole.
    public let isEnabled: Bool
    /// The handlers registered with a magic number (extension handlers are left out).
    public let handlers: [Handler]

    /// The platforms ``hoist info`` reports on: those Debian's qemu-user-static emulates and
    /// images are commonly published for.
    public static let commonPlatforms: [Platform] = [
        Platform(os: "linux", architecture: "amd64"), Platform(os: "linux", architecture: "arm64"),
        Platform(os: "linux", architecture: "arm", variant: "v7"), Platform(os: "linux", architecture: "386"),
        Platform(os: "linux", architecture: "ppc64le"), Platform(os: "linux", architecture: "s390x"),
        Platform(os: "linux", architecture: "riscv64"),
    ]

    /// Reads the handlers registered under `directory` now.
    public init(directory: String = "/proc/sys/fs/binfmt_misc") {
        self.directory = directory
        let status = try? String(contentsOfFile: directory + "/status", encoding: .utf8)
        isEnabled = status?.trimmingCharacters(in: .whitespacesAndNewlines) == "enabled"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        handlers = names.filter { $0 != "status" && $0 != "register" }.sorted().compactMap { name in
            (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)).flatMap { Self.parse($0, name: name) }
        }
    }

    /// How `platform`'s programs run here.
    public func verdict(for platform: Platform) -> Verdict {
        let wanted = platform.normalized
        if wanted.os == Platform.host.os, PlatformMatcher.host.matches(wanted) { return .native }
        let install = "install qemu-user-static (apt-get install qemu-user-static binfmt-support) and register its handler with the F flag (update-binfmts --enable, or a line written to \(directory)/register)"
        guard wanted.os == "linux", let header = Self.elfHeader(of: wanted) else {
            return .unavailable(reason: "Hoist knows no way to run \(wanted) programs on this \(Platform.host) machine")
        }
        guard FileManager.default.fileExists(atPath: directory + "/status") else {
            return .unavailable(reason: "binfmt_misc is not mounted at \(directory) (mount -t binfmt_misc binfmt_misc \(directory)), so no \(wanted) emulator is registered; \(install)")
        }
        guard isEnabled else {
            return .unavailable(reason: "binfmt_misc is disabled (\(directory)/status); enable it and \(install)")
        }
        let candidates = handlers.filter { $0.matches(header) }
        guard let handler = candidates.first(where: \.enabled) else {
            if let disabled = candidates.first {
                return .unavailable(reason: "the binfmt_misc handler \(disabled.name) for \(wanted) is disabled (echo 1 > \(directory)/\(disabled.name))")
            }
            return .unavailable(reason: "no binfmt_misc handler runs \(wanted) programs here: \(install)")
        }
        guard handler.flags.contains("F") else {
            return .unavailable(reason: "the binfmt_misc handler \(handler.name) for \(wanted) is registered without the F flag, so its interpreter \(handler.interpreter) would have to be inside the build's root filesystem; register it again with F")
        }
        return .emulated(handler: handler.name, interpreter: handler.interpreter)
    }

    /// Refuses `platform` when its programs cannot run here, naming it and what to install or
    /// register: a step for it would fail in the middle or, worse, run the host's programs.
    /// - Throws: ``RuntimeError`` (`failedPrecondition`).
    ///
    /// A build step's refusal (`forBuildStep`) also names the other way: a builder node, an
    /// engine on a machine of that platform, given to the build.
    public func checkRunnable(_ platform: Platform, forBuildStep: Bool = false) throws(RuntimeError) {
        if case .unavailable(let reason) = verdict(for: platform) {
            let node = forBuildStep
                ? "; or send its steps to an engine on a \(platform.normalized) machine with --builder-node \(platform.normalized)=unix:///PATH|tcp://HOST:PORT"
                : ""
            throw RuntimeError(.failedPrecondition, "cannot run \(platform.normalized) programs on this \(Platform.host) machine: \(reason)\(node)")
        }
    }

    /// The first 20 bytes of an executable for `platform` (ident, type, machine): what a
    /// handler's magic is matched against. Nil for an architecture not modelled here.
    static func elfHeader(of platform: Platform) -> [UInt8]? {
        // (64-bit, big-endian, e_machine) per architecture, from the ELF specification's tables.
        let layouts: [String: (wide: Bool, bigEndian: Bool, machine: UInt16)] = [
            "amd64": (true, false, 62), "386": (false, false, 3), "arm64": (true, false, 183), "arm": (false, false, 40),
            "ppc64le": (true, false, 21), "ppc64": (true, true, 21), "s390x": (true, true, 22), "riscv64": (true, false, 243),
            "mips64le": (true, false, 8), "mipsle": (false, false, 8), "loong64": (true, false, 258),
        ]
        guard let layout = layouts[platform.architecture] else { return nil }
        func half(_ value: UInt16) -> [UInt8] {
            layout.bigEndian ? [UInt8(value >> 8), UInt8(value & 0xff)] : [UInt8(value & 0xff), UInt8(value >> 8)]
        }
        let ident: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, layout.wide ? 2 : 1, layout.bigEndian ? 2 : 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        // ET_EXEC: handlers match executables (their masks usually let ET_DYN through too).
        return ident + half(2) + half(layout.machine)
    }

    /// A handler file's fields; nil for an extension handler or one that does not parse.
    static func parse(_ text: String, name: String) -> Handler? {
        var handler = Handler(name: name, enabled: false, interpreter: "", flags: "", offset: 0, magic: [], mask: [])
        var sawMagic = false
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            let value = parts.count > 1 ? parts[1] : ""
            switch parts.first ?? "" {
            case "enabled": handler.enabled = true
            case "disabled": handler.enabled = false
            case "interpreter": handler.interpreter = value
            case "flags:": handler.flags = value
            case "offset": handler.offset = Int(value) ?? 0
            case "magic":
                guard let bytes = hexBytes(value) else { return nil }
                handler.magic = bytes
                sawMagic = true
            case "mask": handler.mask = hexBytes(value) ?? []
            default: continue
            }
        }
        return sawMagic ? handler : nil
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
