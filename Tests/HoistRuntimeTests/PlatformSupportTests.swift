import Foundation
import HoistOCI
@testable import HoistRuntime
import HoistTestSupport
import Testing

/// What binfmt_misc's handler files say a machine can run, read from a directory laid out as
/// the kernel lays out /proc/sys/fs/binfmt_misc (the real one is the multi-platform build tests').
struct PlatformSupportTests {
    /// Debian qemu-user-static's aarch64 handler, as the kernel shows it, with `flags`.
    static func aarch64Handler(flags: String, enabled: Bool = true) -> String {
        """
        \(enabled ? "enabled" : "disabled")
        interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
        flags: \(flags)
        offset 0
        magic 7f454c460201010000000000000000000200b700
        mask ffffffffffffff00fffffffffffffffffeffffff

        """
    }

    static func directory(_ files: [String: String]) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        for (name, text) in files { try Data(text.utf8).write(to: directory.appending(name)) }
        return directory
    }

    static let arm64 = Platform(os: "linux", architecture: "arm64")

    @Test func theHostRunsNativelyAndARegisteredHandlerWithFEmulates() throws {
        let directory = try Self.directory(["status": "enabled\n", "register": "", "qemu-aarch64": Self.aarch64Handler(flags: "PF")])
        let support = PlatformSupport(directory: directory.url.path)
        #expect(support.verdict(for: .host) == .native)
        #expect(support.verdict(for: Platform(os: "linux", architecture: "arm64", variant: "v8"))
            == .emulated(handler: "qemu-aarch64", interpreter: "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"))
        #expect(throws: Never.self) { try support.checkRunnable(Self.arm64) }
        // The aarch64 handler does not take 32-bit arm or s390x programs.
        guard case .unavailable(let reason) = support.verdict(for: Platform(os: "linux", architecture: "s390x")) else {
            Issue.record("s390x has no handler")
            return
        }
        #expect(reason.contains("no binfmt_misc handler runs linux/s390x") && reason.contains("qemu-user-static"))
    }

    @Test(arguments: [
        (["status": "enabled\n", "register": "", "qemu-aarch64": PlatformSupportTests.aarch64Handler(flags: "P")], "without the F flag"),
        (["status": "enabled\n", "register": "", "qemu-aarch64": PlatformSupportTests.aarch64Handler(flags: "F", enabled: false)], "is disabled"),
        (["status": "disabled\n", "register": "", "qemu-aarch64": PlatformSupportTests.aarch64Handler(flags: "F")], "binfmt_misc is disabled"),
        (["status": "enabled\n", "register": ""], "no binfmt_misc handler runs linux/arm64"),
        ([:], "binfmt_misc is not mounted"),
    ])
    func whatCannotRunIsRefusedSayingWhy(files: [String: String], words: String) throws {
        let directory = try Self.directory(files)
        let support = PlatformSupport(directory: directory.url.path)
        #expect(!support.verdict(for: Self.arm64).canRun)
        #expect {
            try support.checkRunnable(Self.arm64)
        } throws: { error in
            let error = error as? RuntimeError
            return error?.code == .failedPrecondition && error?.message.contains("cannot run linux/arm64 programs") == true
                && error?.message.contains(words) == true
        }
    }

    @Test func theHeaderOfEachArchitectureIsWhatItsHandlerMatches() throws {
        let handler = try #require(PlatformSupport.parse(Self.aarch64Handler(flags: "F"), name: "qemu-aarch64"))
        #expect(handler.matches(try #require(PlatformSupport.elfHeader(of: Self.arm64))))
        #expect(!handler.matches(try #require(PlatformSupport.elfHeader(of: Platform(os: "linux", architecture: "amd64")))))
        #expect(PlatformSupport.parse("enabled\ninterpreter /usr/bin/java\nflags: \nextension .jar\n", name: "jar") == nil)
    }
}
