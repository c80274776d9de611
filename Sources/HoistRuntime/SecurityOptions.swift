/// How a container is confined beyond its capabilities, as `docker run --security-opt` and
/// `--privileged` say it: Docker's default seccomp profile unless told otherwise.
public struct SecurityOptions: Sendable, Hashable, Codable {
    /// The system call filter a container runs under.
    public enum Seccomp: Sendable, Hashable, Codable {
        /// Docker's default profile (containers/common's `seccomp.json`), its rules chosen for
        /// the container's capabilities and this host.
        case dockerDefault
        /// No filter (`seccomp=unconfined`, `--privileged`, `RUN --security=insecure`).
        case unconfined
        /// A profile of the caller's (`seccomp=FILE`).
        case profile(SeccompProfile)
    }

    /// Nil is the container's default: Docker's profile, none for a privileged container.
    public var seccomp: Seccomp?
    /// `no-new-privileges`: setuid binaries and file capabilities grant nothing.
    public var noNewPrivileges: Bool
    /// The AppArmor profile, applied where the host has AppArmor (ignored elsewhere, as
    /// Docker ignores it); nil is Docker's `docker-default` where it is loaded.
    public var appArmorProfile: String?

    public init(seccomp: Seccomp? = nil, noNewPrivileges: Bool = false, appArmorProfile: String? = nil) {
        self.seccomp = seccomp
        self.noNewPrivileges = noNewPrivileges
        self.appArmorProfile = appArmorProfile
    }

    /// Docker's defaults.
    public static let dockerDefault = SecurityOptions()

    /// No seccomp filter, for steps and containers that asked to run unconfined.
    public static let unconfined = SecurityOptions(seccomp: .unconfined)

    /// Parses `--security-opt` values as Docker reads them: `seccomp=unconfined|FILE`,
    /// `no-new-privileges[=true|false]`, `apparmor=PROFILE`, `label=…` (SELinux, which has no
    /// effect on a host without it, as in Docker); `:` is accepted in place of `=`, as Docker's
    /// older spelling. `readFile` reads a profile's path. Throws `invalidArgument` naming the
    /// option Hoist does not know.
    public static func parse(_ values: [String], readFile: (String) throws -> SeccompProfile = SeccompProfile.read)
        throws -> SecurityOptions
    {
        var options = SecurityOptions()
        for value in values {
            let separator = value.firstIndex { $0 == "=" || $0 == ":" }
            let key = separator.map { String(value[..<$0]) } ?? value
            let argument = separator.map { String(value[value.index(after: $0)...]) }
            switch (key, argument) {
            case ("seccomp", "unconfined"?):
                options.seccomp = .unconfined
            case ("seccomp", let path?) where !path.isEmpty:
                options.seccomp = .profile(try readFile(path))
            case ("no-new-privileges", nil), ("no-new-privileges", "true"?):
                options.noNewPrivileges = true
            case ("no-new-privileges", "false"?):
                options.noNewPrivileges = false
            case ("apparmor", let profile?) where !profile.isEmpty:
                options.appArmorProfile = profile
            case ("label", _?):
                continue
            default:
                throw RuntimeError(.invalidArgument, "invalid --security-opt \(value): expected seccomp=unconfined|FILE, no-new-privileges, apparmor=PROFILE or label=…")
            }
        }
        return options
    }
}
