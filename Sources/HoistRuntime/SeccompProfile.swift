#if canImport(Glibc)
    import Glibc
#endif
public import Foundation

/// A seccomp profile in the format Docker, Podman and containers/common write (`seccomp.json`):
/// a default action, the architectures per host architecture, and syscall rules, each of which
/// may apply only on some architectures, with some capabilities or on a minimum kernel.
///
/// Hoist does not keep a copy of Docker's profile: ``containersDefault()`` reads the one the
/// distribution ships with containers/common (Debian's `golang-github-containers-common`), and
/// ``resolved(capabilities:architecture:kernel:)`` evaluates its conditions for one container
/// into the plain filter the OCI runtime applies — as Docker and Podman do before calling runc.
public struct SeccompProfile: Sendable, Hashable, Codable {
    public var defaultAction: String
    public var defaultErrnoRet: UInt32?
    public var architectures: [String]?
    public var archMap: [ArchitectureMap]?
    public var syscalls: [Rule]?
    public var flags: [String]?

    public struct ArchitectureMap: Sendable, Hashable, Codable {
        public var architecture: String
        public var subArchitectures: [String]?
    }

    /// One rule: what happens to `names`, when its conditions hold.
    public struct Rule: Sendable, Hashable, Codable {
        public var names: [String]?
        /// The older form: one name.
        public var name: String?
        public var action: String
        public var errnoRet: UInt32?
        public var args: [RuntimeSpec.SeccompArgument]?
        public var includes: Filter?
        public var excludes: Filter?
    }

    /// When a rule applies (`includes`: all that is given holds) or not (`excludes`: any holds).
    public struct Filter: Sendable, Hashable, Codable {
        /// Go architecture names (`amd64`, `arm64` …).
        public var arches: [String]?
        /// Capabilities (`CAP_SYS_ADMIN` …).
        public var caps: [String]?
        /// `major.minor`.
        public var minKernel: String?
    }

    /// Where distributions put containers/common's default profile; the first that exists is read.
    public static let containersDefaultPaths = [
        "/etc/containers/seccomp.json", "/usr/share/containers/seccomp.json", "/usr/local/share/containers/seccomp.json",
    ]

    /// Reads the profile at `path`. Throws `invalidArgument` naming the file when it is not a profile.
    public static func read(_ path: String) throws -> SeccompProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError(.notFound, "cannot read the seccomp profile \(path)")
        }
        do {
            return try JSONDecoder().decode(SeccompProfile.self, from: data)
        } catch {
            throw RuntimeError(.invalidArgument, "\(path) is not a seccomp profile", underlying: error)
        }
    }

    /// The containers' default profile (the one `docker run` and `podman run` apply), read from
    /// the first of ``containersDefaultPaths``. Throws `notFound` naming the package to install.
    public static func containersDefault() throws -> SeccompProfile {
        guard let path = containersDefaultPaths.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw RuntimeError(
                .notFound,
                "Docker's default seccomp profile is not installed (\(containersDefaultPaths[1])): install the package "
                    + "golang-github-containers-common (Debian) or containers-common, or run with --security-opt seccomp=unconfined")
        }
        return try read(path)
    }

    /// The filter for one container: the rules whose conditions hold for a process with
    /// `capabilities` (its bounding set) on `architecture` (a Go name; default: this host's)
    /// and `kernel`, with the architectures of ``archMap`` for it.
    public func resolved(
        capabilities: Set<String>, architecture: String = SeccompProfile.hostArchitecture,
        kernel: (major: Int, minor: Int)? = SeccompProfile.hostKernel
    ) -> RuntimeSpec.Seccomp {
        let native = Self.libseccompArchitecture(architecture)
        var architectures = self.architectures ?? []
        if let entry = archMap?.first(where: { $0.architecture == native }) {
            architectures = [entry.architecture] + (entry.subArchitectures ?? [])
        }
        var rules: [RuntimeSpec.SeccompRule] = []
        for rule in syscalls ?? [] where applies(rule, capabilities: capabilities, architecture: architecture, kernel: kernel) {
            let names = rule.names ?? rule.name.map { [$0] } ?? []
            guard !names.isEmpty else { continue }
            rules.append(RuntimeSpec.SeccompRule(names: names, action: rule.action, errnoRet: rule.errnoRet, args: rule.args))
        }
        return RuntimeSpec.Seccomp(
            defaultAction: defaultAction, defaultErrnoRet: defaultErrnoRet,
            architectures: architectures.isEmpty ? nil : architectures, flags: flags, syscalls: rules)
    }

    private func applies(_ rule: Rule, capabilities: Set<String>, architecture: String, kernel: (major: Int, minor: Int)?) -> Bool {
        if let include = rule.includes {
            if let arches = include.arches, !arches.isEmpty, !arches.contains(architecture) { return false }
            if let caps = include.caps, !caps.allSatisfy(capabilities.contains) { return false }
            if let minimum = include.minKernel.flatMap(Self.kernelVersion), let kernel,
                (kernel.major, kernel.minor) < (minimum.major, minimum.minor)
            {
                return false
            }
        }
        if let exclude = rule.excludes {
            if let arches = exclude.arches, arches.contains(architecture) { return false }
            if let caps = exclude.caps, caps.contains(where: capabilities.contains) { return false }
        }
        return true
    }

    /// This host's architecture as Go names it (what profiles' conditions use).
    public static let hostArchitecture: String = {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64": return "arm64"
        case "i386", "i686": return "386"
        case "armv7l", "armv6l": return "arm"
        default: return machine
        }
    }()

    /// This host's kernel version.
    public static let hostKernel: (major: Int, minor: Int)? = {
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return kernelVersion(release)
    }()

    static func kernelVersion(_ text: String) -> (major: Int, minor: Int)? {
        let parts = text.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }

    /// libseccomp's name for a Go architecture name, as the archMap keys are written.
    static func libseccompArchitecture(_ goName: String) -> String {
        switch goName {
        case "amd64": "SCMP_ARCH_X86_64"
        case "arm64": "SCMP_ARCH_AARCH64"
        case "386": "SCMP_ARCH_X86"
        case "arm": "SCMP_ARCH_ARM"
        case "ppc64le": "SCMP_ARCH_PPC64LE"
        case "s390x": "SCMP_ARCH_S390X"
        case "riscv64": "SCMP_ARCH_RISCV64"
        default: "SCMP_ARCH_" + goName.uppercased()
        }
    }
}
