import Foundation
import Hoist
import HoistTestSupport
import Testing

/// `scripts/install.sh` as README's install section says to run it (issue 19): a new non-root
/// user gets `hoist` on PATH at login (Debian's ~/.profile adds ~/.local/bin), stripped, with
/// its debug symbols beside it and completions that complete commands and the store's names.
/// Man pages are skipped here (they need a package build the test run holds); CI's release job
/// runs the script whole.
@Suite("Install", .serialized, .enabled(if: Interop.isRoot && Interop.available("useradd") && Interop.available("objcopy")))
final class InstallTests {
    static let userName = "hoist-installer"
    let directory: TemporaryDirectory
    let home: URL

    init() throws {
        directory = try TemporaryDirectory()
        home = directory.appending("home")
        _ = try? ExternalCommand.run(["userdel", "-r", Self.userName])
        try ExternalCommand.checked(["useradd", "--create-home", "--home-dir", home.path, "--shell", "/bin/bash", Self.userName])
        // What the user is given: the script (where it sits in a checkout) and a built binary.
        let scripts = home.appendingPathComponent("hoist/scripts")
        try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: true)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try FileManager.default.copyItem(at: repository.appendingPathComponent("scripts/install.sh"), to: scripts.appendingPathComponent("install.sh"))
        try FileManager.default.copyItem(atPath: Interop.hoistExecutable, toPath: home.appendingPathComponent("hoist-built").path)
        try ExternalCommand.checked(["chown", "-R", "\(Self.userName):\(Self.userName)", home.path])
    }

    deinit {
        _ = try? ExternalCommand.run(["pkill", "-KILL", "-u", Self.userName])
        _ = try? ExternalCommand.run(["userdel", Self.userName])
    }

    /// `script` run by the user in a login shell.
    private func asUser(_ script: String) throws -> ExternalCommand.Output {
        try ExternalCommand.run(
            ["setpriv", "--reuid=\(Self.userName)", "--regid=\(Self.userName)", "--init-groups", "--reset-env",
             "env", "HOME=\(home.path)", "USER=\(Self.userName)", "PATH=/usr/local/bin:/usr/bin:/bin", "bash", "-l", "-c", script],
            directory: home)
    }

    @Test func aNewUserGetsHoistOnPathWithCompletion() throws {
        let install = try asUser("HOIST_BINARY=$HOME/hoist-built HOIST_MANPAGES=0 hoist/scripts/install.sh")
        #expect(install.status == 0, "\(install.text)\(install.errorText)")
        // A new login finds it.
        let found = try asUser("command -v hoist && hoist --version")
        #expect(found.status == 0 && found.text.hasPrefix(home.path + "/.local/bin/hoist\n"), "\(found.text)\(found.errorText)")
        let installed = home.appendingPathComponent(".local/bin/hoist").path
        // Stripped: no symbol table and no DWARF, only the link to the symbols kept aside.
        let sections = try ExternalCommand.checked(["readelf", "-S", installed]).text
        #expect(!sections.contains(".symtab") && !sections.contains(".debug_info") && sections.contains(".gnu_debuglink"), "\(sections)")
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent(".local/lib/debug/bin/hoist.debug").path))
        for completion in ["share/bash-completion/completions/hoist", "share/zsh/site-functions/_hoist", "share/fish/vendor_completions.d/hoist.fish"] {
            #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent(".local/" + completion).path), "\(completion)")
        }
        // bash completes commands from the installed script.
        let commands = try asUser("""
            source ~/.local/share/bash-completion/completions/hoist
            COMP_WORDS=(hoist ver); COMP_CWORD=1; COMP_LINE="hoist ver"; COMP_POINT=${#COMP_LINE}
            _hoist; echo "${COMPREPLY[@]}"
            """)
        #expect(commands.text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.contains("version"), "\(commands.text)\(commands.errorText)")
    }

    /// Completion of names, from the store the command line (or HOIST_ROOT) names.
    @Test func completionNamesTheStoresContainersAndImages() async throws {
        let fixture = try BusyboxFixture()
        let store = fixture.client.store.root.url.path
        var options = RunOptions(command: ["true"])
        options.name = "completed-one"
        _ = try await fixture.client.native.createContainer("busybox", options)
        let script = """
            source <('\(Interop.hoistExecutable)' --generate-completion-script bash)
            complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; COMPREPLY=(); _hoist; echo "${COMPREPLY[@]}"; }
            complete_words '\(Interop.hoistExecutable)' stop comp
            complete_words '\(Interop.hoistExecutable)' rmi bu
            """
        let output = try ExternalCommand.run(["bash", "-c", script], environment: ["HOIST_ROOT": store])
        let lines = output.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines[0].contains("completed-one") && lines[1] == "busybox:latest", "\(output.text)\(output.errorText)")
    }
}
