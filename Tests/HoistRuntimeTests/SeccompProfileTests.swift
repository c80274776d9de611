import Foundation
import Testing

@testable import HoistRuntime

/// Docker's default seccomp profile as the distribution ships it, evaluated as Docker and
/// Podman evaluate it for a container's capabilities and this host.
@Suite(.enabled(if: SeccompProfile.containersDefaultPaths.contains { FileManager.default.fileExists(atPath: $0) }
                    || ProcessInfo.processInfo.environment["HOIST_REQUIRE_INTEROP"] == "1"))
struct SeccompProfileTests {
    let profile: SeccompProfile

    init() throws {
        profile = try SeccompProfile.containersDefault()
    }

    private func action(_ name: String, in filter: RuntimeSpec.Seccomp) -> String? {
        filter.syscalls?.first { $0.names.contains(name) && ($0.args ?? []).isEmpty }?.action
    }

    @Test func defaultCapabilitiesBlockWhatDockerBlocks() throws {
        let filter = profile.resolved(capabilities: Set(RuntimeSpecBuilder.defaultCapabilities), architecture: "amd64")
        #expect(filter.defaultAction == "SCMP_ACT_ERRNO")
        #expect(filter.architectures?.first == "SCMP_ARCH_X86_64")
        // containers/common's profile leaves mount, unshare, keyctl and ptrace to capabilities
        // (Docker's own blocks them outright); these it blocks itself.
        for blocked in ["bpf", "add_key", "request_key", "kexec_load", "userfaultfd", "perf_event_open", "swapon", "open_by_handle_at"] {
            #expect(action(blocked, in: filter) != "SCMP_ACT_ALLOW", "\(blocked) is allowed")
        }
        for allowed in ["read", "write", "clone", "execve", "arch_prctl", "chroot"] {
            #expect(action(allowed, in: filter) == "SCMP_ACT_ALLOW", "\(allowed) is not allowed")
        }
    }

    @Test func capabilitiesOpenTheirSystemCalls() throws {
        let admin = profile.resolved(
            capabilities: Set(RuntimeSpecBuilder.defaultCapabilities + ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_DAC_READ_SEARCH"]),
            architecture: "amd64")
        #expect(action("open_by_handle_at", in: admin) == "SCMP_ACT_ALLOW")
        for opened in ["bpf", "fanotify_init", "kcmp"] {
            #expect(action(opened, in: admin) == "SCMP_ACT_ALLOW", "\(opened) stays blocked with CAP_SYS_ADMIN")
        }
        let dropped = profile.resolved(capabilities: [], architecture: "amd64")
        #expect(action("chroot", in: dropped) != "SCMP_ACT_ALLOW", "chroot allowed without CAP_SYS_CHROOT")
    }

    @Test func rulesForOtherArchitecturesAreLeftOut() throws {
        let arm = profile.resolved(capabilities: Set(RuntimeSpecBuilder.defaultCapabilities), architecture: "arm64")
        #expect(arm.architectures?.first == "SCMP_ARCH_AARCH64")
        #expect(action("arch_prctl", in: arm) == nil)
    }

    @Test func theSpecCarriesTheFilterUnlessUnconfined() throws {
        var settings = ContainerSettings(arguments: ["true"])
        #expect(try RuntimeSpecBuilder(settings).seccompFilter() != nil)
        settings.security = .unconfined
        #expect(try RuntimeSpecBuilder(settings).seccompFilter() == nil)
    }

    @Test func securityOptionsParseAsDockerReadsThem() throws {
        let parsed = try SecurityOptions.parse(
            ["seccomp=unconfined", "no-new-privileges", "apparmor=custom", "label=disable"], readFile: { _ in profile })
        #expect(parsed.seccomp == .unconfined && parsed.noNewPrivileges && parsed.appArmorProfile == "custom")
        let file = try SecurityOptions.parse(["seccomp:/p.json", "no-new-privileges=false"], readFile: { _ in profile })
        #expect(file.seccomp == .profile(profile) && !file.noNewPrivileges)
        for bad in ["seccomp", "nonsense=1", "no-new-privileges=maybe", "apparmor="] {
            #expect(throws: RuntimeError.self) { _ = try SecurityOptions.parse([bad]) }
        }
    }
}
