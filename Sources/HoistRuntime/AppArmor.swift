import Foundation
import HoistStore

/// AppArmor as Docker uses it: where the host has it, containers run under the profile asked
/// for or `docker-default` when that profile is loaded; where it does not, profiles are ignored,
/// as Docker ignores them.
enum AppArmor {
    /// Whether the kernel has AppArmor enabled.
    static let isEnabled: Bool = {
        (try? String(contentsOfFile: "/sys/module/apparmor/parameters/enabled", encoding: .utf8))?.hasPrefix("Y") == true
    }()

    /// The profiles the kernel has loaded.
    static func loadedProfiles() -> Set<String> {
        let listing = ProcFile.read("/sys/kernel/security/apparmor/profiles") ?? ""
        return Set(listing.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) })
    }

    /// The profile a process runs under for `requested` (nil: Docker's default): nil where the
    /// host has no AppArmor, for `unconfined`, and for the default when it is not loaded.
    static func profile(_ requested: String?) -> String? {
        guard isEnabled else { return nil }
        let name = requested ?? "docker-default"
        if name == "unconfined" { return nil }
        if requested == nil && !loadedProfiles().contains(name) { return nil }
        return name
    }
}
