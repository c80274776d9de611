import Foundation
import Hoist
import HoistOCI
import HoistRegistry
import HoistTestSupport
import Testing

@testable import hoist

/// The live build view as a terminal shows it (issue 19): `hoist build --progress tty` run on a
/// pseudo-terminal (`script`) of 40, 80 and 200 columns, its output replayed through
/// ``VirtualTerminal``: one header, every step on one line, nothing stale left by a redraw, and
/// a failed step's output and error shown; a pull's and a push's views the same way, with a bar
/// per blob and the whole transfer's bytes and rate.
@Suite("Terminal build view", .serialized, .enabled(if: Interop.isRoot && Interop.available("runc") && Interop.available("script")))
struct TerminalViewTests {
    let fixture: BusyboxFixture
    let context: URL

    init() throws {
        fixture = try BusyboxFixture()
        context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
    }

    /// A two-stage build whose step names are longer than any of the widths.
    static func dockerfile(failing: Bool) -> String {
        let long = String(repeating: "a-long-argument-", count: 12)
        return """
            FROM busybox AS first
            RUN echo first-stage-output \(long) && sleep 0.3
            FROM busybox
            COPY --from=first /etc/passwd /copied
            RUN echo second-stage-output; \(failing ? "echo boom-output >&2; exit 3" : "true") # \(long)
            """
    }

    /// The screen `hoist build --progress tty` leaves on a terminal `width` columns wide.
    func screen(width: Int, failing: Bool) throws -> (status: Int32, lines: [String]) {
        try Data(Self.dockerfile(failing: failing).utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let command = "stty cols \(width) rows 60; exec '\(Interop.hoistExecutable)' build --no-cache --progress tty -t view '\(context.path)'"
        let run = try ExternalCommand.run(
            ["script", "-q", "-e", "-c", command, "/dev/null"], environment: ["HOIST_ROOT": fixture.client.store.root.url.path])
        return (run.status, VirtualTerminal.screen(of: run.text, width: width))
    }

    @Test(arguments: [40, 80, 200])
    func aPassingBuildLeavesOneCleanFrame(width: Int) throws {
        let (status, lines) = try screen(width: width, failing: false)
        #expect(status == 0, "\(lines.joined(separator: "\n"))")
        let headers = lines.filter { $0.hasPrefix("[+] Building") }
        #expect(headers.count == 1 && headers[0].contains("FINISHED"), "a stale frame is left:\n\(lines.joined(separator: "\n"))")
        // Each step once, on a line of its own that fits the width.
        let steps = lines.filter { $0.hasPrefix(" => ") && !$0.hasPrefix(" => => ") }
        #expect(steps.count == Set(steps).count, "a step is drawn twice:\n\(lines.joined(separator: "\n"))")
        #expect(steps.contains { $0.contains("RUN echo first") || $0.contains("RUN echo…") || $0.contains("[first") }, "\(steps)")
        #expect(lines.allSatisfy { $0.count < width }, "a line reaches the last column")
    }

    @Test(arguments: [40, 80, 200])
    func aFailingBuildShowsTheStepsOutputAndError(width: Int) throws {
        let (status, lines) = try screen(width: width, failing: true)
        #expect(status != 0)
        let text = lines.joined(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("[+] Building") }.count == 1, "a stale frame is left:\n\(text)")
        #expect(lines.contains { $0.hasSuffix("ERROR") }, "the failed step is not marked:\n\(text)")
        let box = try #require(lines.firstIndex(of: "------"), "no box with the failed step's output:\n\(text)")
        #expect(lines[box + 1].hasPrefix(" > "), "\(text)")
        #expect(lines[box...].contains { $0.contains("boom-output") } && lines[box...].contains { $0.contains("second-stage-output") }, "\(text)")
        // The error as a paragraph (it may wrap: only the view is cut to the width).
        let error = try #require(lines.firstIndex { $0.hasPrefix("ERROR: ") }, "\(text)")
        #expect(lines[error...].joined().contains("3"), "\(text)")
    }

    /// The screen `hoist ARGUMENTS` leaves on a terminal `width` columns wide, on the store `root`.
    func transferScreen(_ arguments: String, width: Int, root: URL) throws -> (status: Int32, lines: [String]) {
        let command = "stty cols \(width) rows 60; exec '\(Interop.hoistExecutable)' \(arguments)"
        let run = try ExternalCommand.run(["script", "-q", "-e", "-c", command, "/dev/null"], environment: ["HOIST_ROOT": root.path])
        return (run.status, VirtualTerminal.screen(of: run.text, width: width))
    }

    /// Builds `name`, an image of four blobs: busybox's layer, two layers of a few megabytes and
    /// the config.
    func buildTransferredImage(_ name: String) async throws {
        var dockerfile = "FROM busybox\n"
        for (file, megabytes) in [("a", 3), ("b", 2)] {
            try ExternalCommand.checked(["head", "-c", "\(megabytes)M", "/dev/urandom"]).standardOutput.write(to: context.appendingPathComponent(file))
            dockerfile += "COPY \(file) /\(file)\n"
        }
        try Data(dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        _ = try await fixture.client.build(BuildOptions(context: context, tags: [name]))
    }

    /// One frame of a transfer's view: one header, a line per blob once each, the whole
    /// transfer's bytes and rate, every line of the view within the width.
    func expectOneTransferFrame(_ lines: [String], title: String, width: Int, blobCount: Int = 4,
                                ends: [String] = ["Complete"]) throws {
        let text = lines.joined(separator: "\n")
        let headers = lines.filter { $0.hasPrefix("[+] \(title)") }
        #expect(headers.count == 1 && headers[0].contains("(\(blobCount)/\(blobCount)) FINISHED"), "a stale frame is left at \(width):\n\(text)")
        let blobs = lines.filter { $0.hasPrefix(" => ") && !$0.hasPrefix(" => total") }
        #expect(blobs.count == blobCount && Set(blobs).count == blobCount && blobs.allSatisfy { line in ends.contains { line.contains($0) } },
                "\(width):\n\(text)")
        let total = try #require(lines.first { $0.hasPrefix(" => total") }, "\(width):\n\(text)")
        #expect(total.range(of: #"([0-9.]+MB)/\1 +[0-9.]+[kMG]?B/s$"#, options: .regularExpression) != nil, "\(total)")
        // The view's lines fit; what the command prints after it is standard output's.
        let view = lines.filter { $0.hasPrefix("[+] ") || $0.hasPrefix(" => ") }
        #expect(view.allSatisfy { $0.count < width }, "a line reaches the last column at \(width):\n\(text)")
    }

    @Test(.enabled(if: Interop.available("docker-registry")))
    func aPullShowsBarsTotalsAndRateInOneFrame() async throws {
        let registry = try TestRegistry(in: fixture.directory.appending("registry"))
        let name = "\(registry.host)/view/pulled:1"
        try await registry.explainingFailures {
            try await buildTransferredImage(name)
            _ = try await fixture.client.push(name)
            for width in [40, 80, 200] {
                let (status, lines) = try transferScreen("pull --progress tty '\(name)'", width: width, root: fixture.directory.appending("pulled-\(width)"))
                #expect(status == 0, "\(lines.joined(separator: "\n"))")
                try expectOneTransferFrame(lines, title: "Pulling", width: width)
                #expect(lines.contains { $0.hasPrefix("Digest: sha256:") }, "\(lines.joined(separator: "\n"))")
            }
        }
    }

    /// On the docker backend the daemon pulls; its layers get the same bars (the daemon names
    /// them by 12 hex digits, and may have the base's layer already).
    @Test(.enabled(if: Interop.dockerAvailable && Interop.available("docker-registry")))
    func aPullThroughTheDaemonShowsBarsToo() async throws {
        let registry = try TestRegistry(in: fixture.directory.appending("registry-daemon"))
        let name = "\(registry.host)/view/daemon:1"
        try await registry.explainingFailures {
            try await buildTransferredImage(name)
            _ = try await fixture.client.push(name)
            defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", name]) }
            let (status, lines) = try transferScreen("--backend docker pull --progress tty '\(name)'", width: 80, root: fixture.directory.appending("daemon-pull"))
            #expect(status == 0, "\(lines.joined(separator: "\n"))")
            try expectOneTransferFrame(lines, title: "Pulling", width: 80, blobCount: 3, ends: ["Complete", "Already exists"])
        }
    }

    /// Pushes to a registry of their own each, so every width sees every blob uploaded.
    @Test(.enabled(if: Interop.available("docker-registry")))
    func aPushShowsBarsTotalsAndRateInOneFrame() async throws {
        try await buildTransferredImage("view/pushed:1")
        for width in [40, 80, 200] {
            let registry = try TestRegistry(in: fixture.directory.appending("registry-\(width)"))
            try await registry.explainingFailures {
                let (status, lines) = try transferScreen(
                    "push --progress tty view/pushed:1 '\(registry.host)/view/pushed:1'", width: width, root: fixture.client.store.root.url)
                #expect(status == 0, "\(lines.joined(separator: "\n"))")
                try expectOneTransferFrame(lines, title: "Pushing", width: width)
                #expect(lines.contains { $0.hasPrefix("1: digest: sha256:") }, "\(lines.joined(separator: "\n"))")
            }
        }
    }

    /// `save` and `load` on a terminal: a line per blob with its bytes, the whole transfer's
    /// bytes and rate, one frame; the loaded names after it, as docker load prints them.
    @Test func saveAndLoadShowBarsTotalsAndRateInOneFrame() async throws {
        try await buildTransferredImage("view/saved:1")
        for width in [40, 80, 200] {
            let archive = fixture.directory.appending("saved-\(width).tar")
            let (saved, saving) = try transferScreen("save -o '\(archive.path)' view/saved:1", width: width, root: fixture.client.store.root.url)
            #expect(saved == 0, "\(saving.joined(separator: "\n"))")
            try expectOneTransferFrame(saving, title: "Saving", width: width)
            let (loaded, loading) = try transferScreen("load -i '\(archive.path)'", width: width, root: fixture.directory.appending("loaded-\(width)"))
            #expect(loaded == 0, "\(loading.joined(separator: "\n"))")
            try expectOneTransferFrame(loading, title: "Loading", width: width)
            #expect(loading.contains("Loaded image: view/saved:1"), "\(loading.joined(separator: "\n"))")
        }
    }

    @Test func transferLinesHaveABarWhereTheWidthAllows() throws {
        let digest = try Digest(parsing: "sha256:" + String(repeating: "ab", count: 32))
        var tally = TransferTally()
        _ = tally.record(TransferProgress(digest: digest, mediaType: .ociLayerGzip, phase: .downloading, completed: 1_500_000, total: 3_000_000))
        #expect(tally.line(digest, width: 80).hasSuffix("[===============>              ] 1.5MB/3MB"), "\(tally.line(digest, width: 80))")
        #expect(tally.line(digest, width: 40) == " => abababababab [=====>    ] 1.5MB/3MB")
        #expect(tally.line(digest, width: 30) == " => abababababab    1.5MB/3MB")
        #expect(tally.bytes == (1_500_000, 3_000_000))
        _ = tally.record(TransferProgress(digest: digest, mediaType: .ociLayerGzip, phase: .complete, completed: 3_000_000, total: 3_000_000))
        #expect(tally.line(digest, width: 40).hasSuffix(" Complete 3MB"))
    }

    @Test func noColourWhenNoColorIsSet() throws {
        try Data(Self.dockerfile(failing: true).utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let command = "exec '\(Interop.hoistExecutable)' build --progress tty '\(context.path)'"
        // NO_COLOR empty counts as unset (no-color.org), whatever the test runner has.
        let coloured = try ExternalCommand.run(["script", "-q", "-e", "-c", command, "/dev/null"],
                                               environment: ["HOIST_ROOT": fixture.client.store.root.url.path, "NO_COLOR": ""])
        #expect(coloured.text.contains("\u{1B}[31m"), "BuildKit's red for the failure")
        let plain = try ExternalCommand.run(["script", "-q", "-e", "-c", command, "/dev/null"],
                                            environment: ["HOIST_ROOT": fixture.client.store.root.url.path, "NO_COLOR": "1"])
        #expect(plain.text.range(of: "\u{1B}\\[[0-9;]*m", options: .regularExpression) == nil, "NO_COLOR is set")
    }

    @Test func linesAreCutNeverWrapped() {
        #expect(TerminalLine.fit("12345", right: "0.1s", width: 20) == "12345          0.1s")
        #expect(TerminalLine.fit(String(repeating: "x", count: 30), right: "0.1s", width: 20) == String(repeating: "x", count: 13) + "… 0.1s")
        #expect(TerminalLine.fit("abcdef", width: 4) == "ab…")
        #expect(TerminalLine.printable("50%\r100% \u{1B}[32mdone\u{1B}[0m\tok\u{07}") == "100% done ok")
    }

    @Test func theVirtualTerminalRedrawsAsXtermDoes() {
        // Deferred wrap: a full row then a line feed takes one row, not two.
        #expect(VirtualTerminal.screen(of: "abcd\r\nef\r\n", width: 4) == ["abcd", "ef"])
        #expect(VirtualTerminal.screen(of: "abcdef\r\n", width: 4) == ["abcd", "ef"])
        // Moving up over a frame and clearing it.
        #expect(VirtualTerminal.screen(of: "one\r\ntwo\r\n\u{1B}[2F\u{1B}[Jthree\r\n", width: 10) == ["three"])
    }
}
