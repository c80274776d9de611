import Foundation
import HoistTestSupport
import Testing

/// The day-two verbs and flags of issue 19 against `/usr/bin/docker`, on the suite's image:
/// `logs --tail/-n/--since/--until/-t/-f`, `pause`/`unpause`, `rename`, `top`, `stats --no-stream`.
/// Containers run with `--network none` (this dockerd has no bridge). Known differences, not
/// compared: PIDs, start times and CPU/memory/block figures (each side's own processes); `top`'s
/// column widths follow those values.
extension CLICompatibilityTests {
    /// Runs `arguments` with docker and with hoist on the suite's store.
    func both(_ arguments: [String]) throws -> (docker: ExternalCommand.Output, hoist: ExternalCommand.Output) {
        (try ExternalCommand.run([Interop.docker] + arguments), try Interop.hoist(arguments, root: store))
    }

    /// Starts container `name` running `script` on both sides.
    func startBoth(_ name: String, _ script: String) throws {
        _ = try ExternalCommand.checked([Interop.docker, "run", "-d", "--network", "none", "--name", name, image, "sh", "-c", script])
        let started = try Interop.hoist(["run", "-d", "--pull", "never", "--network", "none", "--name", name, image, "sh", "-c", script], root: store)
        try #require(started.status == 0, "\(started.errorText)")
    }

    func removeBoth(_ names: String...) {
        for name in names {
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name])
            _ = try? Interop.hoist(["rm", "-f", name], root: store)
        }
    }

    /// `2024-05-01T10:30:00.123456789Z ` at the start of each line, as `-t` prints it, made `TIME `.
    static func maskingTimestamps(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let pattern = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z /#
            return line.replacing(pattern, with: "TIME ", maxReplacements: 1)
        }.joined(separator: "\n")
    }

    @Test(.timeLimit(.minutes(3)))
    func logsOptionsAsDockers() throws {
        let (name, mixed) = (uniqueDockerName("logs"), uniqueDockerName("mixed"))
        defer {
            removeBoth(name, mixed)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        // Known difference, so not compared: lines written on stdout and stderr at nearly the
        // same moment are in no fixed order in Docker's logs (two copiers write them), so the
        // tails are taken of a container that writes stdout only, and the two streams of the
        // other are compared apart.
        try startBoth(name, "for i in 1 2 3 4 5; do echo line $i; done; printf 'no newline'")
        try startBoth(mixed, "echo to-stderr >&2; echo out; echo more >&2; printf 'end'")
        _ = try both(["wait", name])
        _ = try both(["wait", mixed])
        var covered = CompatibilityCoverage()
        let cases: [[String]] = [
            ["logs", name], ["logs", "--tail", "2", name], ["logs", "-n", "1", name], ["logs", "--tail", "0", name],
            ["logs", "--tail", "all", name], ["logs", "--since", "10m", name], ["logs", "--until", "10m", name],
            ["logs", "--since", "2000-01-01T00:00:00Z", "--until", "2100-01-01", name], ["logs", "--since", "0", name],
            ["logs", "--until", String(Int(Date().addingTimeInterval(3600).timeIntervalSince1970)), name],
            ["logs", "-t", name], ["logs", "--timestamps", "--tail", "3", name], ["logs", "-f", name], ["logs", "-f", "--tail", "1", name],
            ["logs", mixed], ["logs", "-t", mixed], ["logs", "--since", "1h", "-f", mixed], ["logs", "--until", "1h", mixed],
        ]
        for arguments in cases {
            let (docker, hoist) = try both(arguments)
            #expect(docker.status == 0, "docker \(arguments): \(docker.errorText)")
            let same = hoist.status == docker.status && Self.maskingTimestamps(hoist.text) == Self.maskingTimestamps(docker.text)
                && Self.maskingTimestamps(hoist.errorText) == Self.maskingTimestamps(docker.errorText)
            #expect(same, "\(arguments)\n hoist (\(hoist.status)): \(hoist.text.debugDescription) \(hoist.errorText.debugDescription)\n docker: \(docker.text.debugDescription) \(docker.errorText.debugDescription)")
            covered.record("logs", arguments.dropFirst().dropLast().joined(separator: " "), compared: "exit code, stdout, stderr (times masked)", same: same)
        }
        // -t: a time for each line, in order, within the container's life.
        let stamped = try Interop.hoist(["logs", "-t", name], root: store).text.split(separator: "\n").map { String($0.prefix { $0 != " " }) }
        #expect(stamped.count == 6 && stamped == stamped.sorted(), "\(stamped)")
        // Docker's daemon takes a tail that is not a number as all lines.
        let (dockerAll, hoistAll) = try both(["logs", "--tail", "x", name])
        #expect(dockerAll.status == 0 && hoistAll.status == 0 && hoistAll.text == dockerAll.text, "\(hoistAll.errorText)")
        for arguments in [["logs", "--since", "yesterday", name], ["logs", "no-such-container"]] {
            let (docker, hoist) = try both(arguments)
            #expect(docker.status != 0 && hoist.status == docker.status, "\(arguments): hoist \(hoist.status) \(hoist.errorText), docker \(docker.status)")
            covered.record("logs", arguments.dropFirst().dropLast().joined(separator: " "), compared: "exit code (\(docker.status))", same: hoist.status == docker.status)
        }
        covered.print("logs")
    }

    /// `logs -f` on a running container follows it to its end: what it writes after the
    /// follower started included, and nothing twice.
    @Test(.timeLimit(.minutes(3)))
    func logsFollowsToTheEndAsDockers() throws {
        let name = uniqueDockerName("follow")
        defer {
            removeBoth(name)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        try startBoth(name, "echo first; trap 'echo second; echo bye >&2; exit 0' TERM; while :; do sleep 0.1; done")
        let directory = try TemporaryDirectory()
        func follow(_ command: [String], environment: [String: String], _ tag: String) throws -> (Process, URL, URL) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            let output = directory.appending("\(tag).out"), errors = directory.appending("\(tag).err")
            try #require(FileManager.default.createFile(atPath: output.path, contents: nil))
            try #require(FileManager.default.createFile(atPath: errors.path, contents: nil))
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            return (process, output, errors)
        }
        let docker = try follow([Interop.docker, "logs", "-f", name], environment: [:], "docker")
        let hoist = try follow([Interop.hoistExecutable, "logs", "-f", name], environment: ["HOIST_ROOT": store.path], "hoist")
        // Until each follower has printed the first line: then the rest comes while it follows.
        for file in [docker.1, hoist.1] {
            while (try? String(contentsOf: file, encoding: .utf8))?.contains("first") != true { usleep(20_000) }
        }
        _ = try both(["stop", "-t", "10", name])
        docker.0.waitUntilExit()
        hoist.0.waitUntilExit()
        let texts = try [docker.1, docker.2, hoist.1, hoist.2].map { try String(contentsOf: $0, encoding: .utf8) }
        #expect(texts[0] == "first\nsecond\n" && texts[1] == "bye\n", "docker: \(texts[0].debugDescription) \(texts[1].debugDescription)")
        #expect(texts[2] == texts[0] && texts[3] == texts[1], "hoist: \(texts[2].debugDescription) \(texts[3].debugDescription)")
        #expect(hoist.0.terminationStatus == docker.0.terminationStatus)
        var covered = CompatibilityCoverage()
        covered.record("logs", "-f (running, then stopped)", compared: "stdout, stderr, exit code", same: texts[2] == texts[0] && texts[3] == texts[1])
        covered.print("logs -f")
    }

    @Test(.timeLimit(.minutes(3)))
    func pauseAndUnpauseAsDockers() throws {
        let name = uniqueDockerName("pause")
        defer {
            removeBoth(name)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        try startBoth(name, "exec sleep 1000")
        let steps: [[String]] = [
            ["pause", name], ["inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.State.Paused}}", name],
            ["ps", "--filter", "name=\(name)", "--format", "{{.State}}"], ["pause", name],
            ["unpause", name], ["inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.State.Paused}}", name],
            ["unpause", name], ["pause", "no-such-container"],
        ]
        var covered = CompatibilityCoverage()
        for arguments in steps {
            let (docker, hoist) = try both(arguments)
            let same = hoist.status == docker.status && hoist.text == docker.text
            #expect(same, "\(arguments): hoist (\(hoist.status)) \(hoist.text.debugDescription) \(hoist.errorText), docker (\(docker.status)) \(docker.text.debugDescription)")
            covered.record(arguments[0], arguments.dropFirst().joined(separator: " ").replacingOccurrences(of: name, with: "NAME"), compared: "exit code (\(docker.status)), stdout", same: same)
        }
        // Paused, ps says so after the running time.
        _ = try both(["pause", name])
        let (docker, hoist) = try both(["ps", "--filter", "name=\(name)", "--format", "{{.Status}}"])
        #expect(docker.text.hasSuffix(" (Paused)\n") && hoist.text.hasSuffix(" (Paused)\n"), "\(hoist.text) \(docker.text)")
        // A paused container is stopped (and removed) as Docker's is.
        let stopped = try both(["rm", "-f", name])
        #expect(stopped.hoist.status == stopped.docker.status, "\(stopped.hoist.errorText)")
        covered.print("pause, unpause")
    }

    @Test(.timeLimit(.minutes(3)))
    func renameAsDockers() throws {
        let (first, second, other) = (uniqueDockerName("old"), uniqueDockerName("new"), uniqueDockerName("other"))
        defer {
            removeBoth(first, second, other)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        for name in [first, other] {
            _ = try ExternalCommand.checked([Interop.docker, "create", "--name", name, image, "true"])
            try #require(try Interop.hoist(["create", "--name", name, image, "true"], root: store).status == 0)
        }
        let steps: [[String]] = [
            ["rename", first, second], ["inspect", "--format", "{{.Name}}", second], ["inspect", first],
            ["rename", second, other], ["rename", second, second], ["rename", second, "bad/name"], ["rename", "no-such-container", first],
            ["ps", "-a", "--filter", "name=\(second)", "--format", "{{.Names}}"],
        ]
        // Known difference: `inspect` of a missing name prints `[]` in Docker, nothing here.
        var covered = CompatibilityCoverage()
        for arguments in steps {
            let (docker, hoist) = try both(arguments)
            covered.record(arguments[0], arguments.dropFirst().joined(separator: " ")
                .replacingOccurrences(of: first, with: "OLD").replacingOccurrences(of: second, with: "NEW").replacingOccurrences(of: other, with: "OTHER"),
                compared: "exit code (\(docker.status))\(docker.status == 0 ? ", stdout" : "")",
                same: hoist.status == docker.status && (docker.status != 0 || hoist.text == docker.text))
            #expect(hoist.status == docker.status && (docker.status != 0 || hoist.text == docker.text),
                    "\(arguments): hoist (\(hoist.status)) \(hoist.text.debugDescription) \(hoist.errorText), docker (\(docker.status)) \(docker.text.debugDescription) \(docker.errorText)")
        }
        covered.print("rename")
    }

    /// `top`: the same titles and commands (PIDs and times are each side's own).
    @Test(.timeLimit(.minutes(3)))
    func topAsDockers() throws {
        let name = uniqueDockerName("top")
        defer {
            removeBoth(name)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        try startBoth(name, "exec sleep 1000")
        func columns(_ text: String) -> [[String]] {
            text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        }
        for arguments in [["top", name], ["top", name, "-o", "pid,comm"], ["top", name, "aux"]] {
            let (docker, hoist) = try both(arguments)
            #expect(docker.status == 0 && hoist.status == 0, "\(arguments): \(hoist.errorText) \(docker.errorText)")
            let (dockerRows, hoistRows) = (columns(docker.text), columns(hoist.text))
            #expect(dockerRows.first == hoistRows.first, "\(arguments) titles: hoist \(hoistRows.first ?? []), docker \(dockerRows.first ?? [])")
            #expect(dockerRows.count == hoistRows.count && dockerRows.map { $0.last } == hoistRows.map { $0.last },
                    "\(arguments): hoist \(hoist.text) docker \(docker.text)")
            // Docker's tabwriter: columns at least 20 wide.
            #expect(hoist.text.hasPrefix(docker.text.prefix(20)), "\(hoist.text.debugDescription)")
        }
        for arguments in [["top", name, "-o", "comm"], ["top", "no-such-container"]] {
            let (docker, hoist) = try both(arguments)
            #expect(docker.status != 0 && hoist.status == docker.status, "\(arguments): hoist \(hoist.status) \(hoist.errorText), docker \(docker.status)")
        }
        _ = try both(["stop", "-t", "1", name])
        let (docker, hoist) = try both(["top", name])
        #expect(docker.status != 0 && hoist.status == docker.status, "top of a stopped container: hoist \(hoist.status), docker \(docker.status)")
        print("top: titles, commands and failures compared")
    }

    /// `stats --no-stream`: Docker's columns and fields; figures that are each side's own only
    /// checked for their shape.
    @Test(.timeLimit(.minutes(3)))
    func statsAsDockers() throws {
        let name = uniqueDockerName("stats")
        defer {
            removeBoth(name)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        try startBoth(name, "exec sleep 1000")
        let exact = ["stats", "--no-stream", "--format", "{{.Name}}|{{.PIDs}}|{{.Container}}|{{.NetIO}}", name]
        let (docker, hoist) = try both(exact)
        #expect(docker.status == 0 && hoist.text == docker.text, "hoist \(hoist.text.debugDescription) \(hoist.errorText), docker \(docker.text.debugDescription)")
        let json = try both(["stats", "--no-stream", "--format", "{{json .}}", name])
        #expect(try Self.lineKeys(json.hoist.standardOutput) == (try Self.lineKeys(json.docker.standardOutput)))
        let shapes = try Interop.hoist(["stats", "--no-stream", "--format", "{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.BlockIO}}", name], root: store).text
        #expect(shapes.wholeMatch(of: #/\d+\.\d\d%\|[\d.]+[KMG]?i?B \/ [\d.]+[KMGT]iB\|\d+\.\d\d%\|[\d.]+[kMG]?B \/ [\d.]+[kMG]?B\n/#) != nil, "\(shapes)")
        let tables = try both(["stats", "--no-stream", name])
        func header(_ text: String) -> [String] {
            (text.split(separator: "\n").first.map(String.init) ?? "").split(separator: "  ", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(header(tables.hoist.text) == header(tables.docker.text), "hoist \(tables.hoist.text) docker \(tables.docker.text)")
        let missing = try both(["stats", "--no-stream", "no-such-container"])
        #expect(missing.docker.status != 0 && missing.hoist.status == missing.docker.status, "\(missing.hoist.errorText)")
        print("stats --no-stream: fields, json keys and columns compared")
    }
}

extension CLICompatibilityTests {
    /// 64 hex digits (a container or image ID) made `ID`.
    static func maskingIDs(_ text: String) -> String {
        text.replacing(#/[0-9a-f]{64}/#, with: "ID")
    }

    /// `system prune`, kept to what this test made by a label filter (the daemon is shared):
    /// the prompt, the listing of what went and the total. `ps -s`: Docker's SIZE column.
    /// Known difference: sizes are each side's own (Hoist counts the writable snapshot's disk
    /// blocks and its image's unpacked snapshots), so only their shape is compared.
    @Test(.timeLimit(.minutes(3)))
    func systemPruneAndSizesAsDockers() throws {
        let (name, label) = (uniqueDockerName("prune"), uniqueDockerName("label"))
        defer {
            removeBoth(name)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        _ = try ExternalCommand.checked([Interop.docker, "create", "--name", name, "--label", label, image, "true"])
        try #require(try Interop.hoist(["create", "--name", name, "--label", label, image, "true"], root: store).status == 0)
        for arguments in [["ps", "-a", "-s", "--filter", "name=\(name)", "--format", "{{.Names}}|{{.Size}}"],
                          ["ps", "-a", "--filter", "name=\(name)", "--format", "{{.Size}}"]] {
            let (docker, hoist) = try both(arguments)
            let shape = #/^[^|]*\|?[\d.]+[kMG]?B \(virtual [\d.]+[kMG]?B\)\n$/#
            #expect(docker.text.wholeMatch(of: shape) != nil && hoist.text.wholeMatch(of: shape) != nil,
                    "\(arguments): hoist \(hoist.text.debugDescription) \(hoist.errorText), docker \(docker.text.debugDescription)")
        }
        let tables = try both(["ps", "-a", "-s", "--filter", "name=\(name)"])
        func header(_ text: String) -> [String] {
            (text.split(separator: "\n").first.map(String.init) ?? "").split(separator: "  ", omittingEmptySubsequences: true)
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(header(tables.hoist.text) == header(tables.docker.text) && header(tables.hoist.text).last == "SIZE", "\(tables.hoist.text)")
        // Answered no: the prompt, nothing removed.
        for arguments in [["system", "prune", "--filter", "label=\(label)"], ["system", "prune", "-a", "--volumes", "--filter", "label=\(label)"]] {
            let docker = try ExternalCommand.run([Interop.docker] + arguments, input: Data("n\n".utf8))
            let hoist = try Interop.hoist(arguments, root: store, input: Data("n\n".utf8))
            #expect(hoist.status == docker.status && hoist.text == docker.text, "\(arguments): hoist \(hoist.text.debugDescription), docker \(docker.text.debugDescription)")
        }
        // Docker's own `system prune -f` is not run: its build cache prune ignores the label filter
        // and would empty the shared daemon's cache. With the label, nothing but the container
        // goes, so Docker's output is its container prune's (then the same total line).
        let docker = try ExternalCommand.run([Interop.docker, "container", "prune", "-f", "--filter", "label=\(label)"])
        let hoist = try Interop.hoist(["system", "prune", "-f", "--filter", "label=\(label)"], root: store)
        #expect(docker.text.hasPrefix("Deleted Containers:\n"), "\(docker.text)")
        #expect(hoist.status == docker.status && Self.maskingIDs(hoist.text) == Self.maskingIDs(docker.text),
                "hoist \(hoist.text.debugDescription) \(hoist.errorText), docker \(docker.text.debugDescription)")
        #expect(try Interop.hoist(["ps", "-a", "--filter", "name=\(name)", "-q"], root: store).text.isEmpty)
        // rmi --no-prune: an extra name goes, the image stays (Hoist's images have no parents to keep).
        let extra = uniqueDockerName("extra") + ":1"
        _ = try ExternalCommand.checked([Interop.docker, "tag", image, extra])
        try #require(try Interop.hoist(["tag", image, extra], root: store).status == 0)
        let untagged = try both(["rmi", "--no-prune", extra])
        #expect(untagged.docker.text == "Untagged: \(extra)\n" && untagged.hoist.text == untagged.docker.text,
                "hoist \(untagged.hoist.text.debugDescription) \(untagged.hoist.errorText), docker \(untagged.docker.text.debugDescription)")
        // Refused before anything is pruned.
        let bad = try both(["system", "prune", "-f", "--filter", "nosuchkey=1"])
        #expect(bad.docker.status != 0 && bad.hoist.status != 0, "\(bad.hoist.errorText)")
        print("system prune, ps -s: compared")
    }
}

extension CLICompatibilityTests {
    /// The docker backend passes the verbs to the Engine API: on the daemon's own container,
    /// `hoist --backend docker` prints what `docker` prints (the same times, the same rows).
    @Test(.timeLimit(.minutes(3)))
    func dockerBackendDayTwoVerbsAsDockers() throws {
        let (name, renamed) = (uniqueDockerName("engine"), uniqueDockerName("renamed"))
        defer {
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name])
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", renamed])
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        _ = try ExternalCommand.checked([Interop.docker, "run", "-d", "--network", "none", "--name", name, image, "sh", "-c",
                                         "for i in 1 2 3; do echo line $i; done; echo oops >&2; exec sleep 1000"])
        func engine(_ arguments: [String]) throws -> ExternalCommand.Output {
            try Interop.hoist(["--backend", "docker"] + arguments, root: store)
        }
        // Until the daemon has the output (the container runs on).
        while try ExternalCommand.run([Interop.docker, "logs", name]).text != "line 1\nline 2\nline 3\n" { usleep(20_000) }
        // What changes the container is done by hoist and looked at by docker.
        let status = [Interop.docker, "inspect", "--format", "{{.Name}} {{.State.Status}}"]
        #expect(try engine(["pause", name]).text == "\(name)\n")
        #expect(try ExternalCommand.run(status + [name]).text == "/\(name) paused\n")
        #expect(try engine(["ps", "--filter", "name=\(name)", "--format", "{{.State}}"]).text == "paused\n")
        #expect(try engine(["unpause", name]).text == "\(name)\n")
        #expect(try engine(["rename", name, renamed]).status == 0)
        #expect(try ExternalCommand.run(status + [renamed]).text == "/\(renamed) running\n")
        #expect(try engine(["rename", renamed, name]).status == 0)
        for arguments in [["logs", "-t", "--tail", "2", name], ["logs", "--since", "1h", name], ["logs", "--until", "1h", name],
                          ["top", name, "-o", "pid,comm"], ["stats", "--no-stream", "--format", "{{.Name}} {{.PIDs}} {{.NetIO}}", name]] {
            let docker = try ExternalCommand.run([Interop.docker] + arguments)
            let hoist = try engine(arguments)
            #expect(docker.status == 0 && hoist.status == 0 && hoist.text == docker.text && hoist.errorText == docker.errorText,
                    "\(arguments): hoist (\(hoist.status)) \(hoist.text.debugDescription) \(hoist.errorText.debugDescription), docker \(docker.text.debugDescription) \(docker.errorText.debugDescription)")
        }
        let size = try engine(["ps", "-s", "--filter", "name=\(name)", "--format", "{{.Size}}"])
        #expect(size.text == (try ExternalCommand.run([Interop.docker, "ps", "-s", "--filter", "name=\(name)", "--format", "{{.Size}}"]).text),
                "\(size.text) \(size.errorText)")
        print("docker backend: logs, pause, unpause, top, stats, rename, ps -s as docker's")
    }
}

extension CLICompatibilityTests {
    /// `cp -L`: a symlink source copied as what it leads to, under its own name, both ways;
    /// without -L the link itself.
    @Test(.timeLimit(.minutes(3)))
    func copyFollowingLinksAsDockers() throws {
        let name = uniqueDockerName("copy")
        defer {
            removeBoth(name)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        try startBoth(name, "echo inside > /tmp/real; ln -s real /tmp/link; ln -s /tmp/link /tmp/chain; exec sleep 1000")
        for command in [[Interop.docker], [Interop.hoistExecutable]] {
            let environment = ["HOIST_ROOT": store.path]
            while try ExternalCommand.run(command + ["exec", name, "test", "-L", "/tmp/chain"], environment: environment).status != 0 { usleep(20_000) }
        }
        let directory = try TemporaryDirectory()
        try Data("outside\n".utf8).write(to: directory.appending("hostreal"))
        try FileManager.default.createSymbolicLink(atPath: directory.appending("hostlink").path, withDestinationPath: "hostreal")
        for (tag, run) in [("docker", { try ExternalCommand.run([Interop.docker] + $0) }), ("hoist", { try Interop.hoist($0, root: store) })]
            as [(String, ([String]) throws -> ExternalCommand.Output)] {
            let out = directory.appending(tag)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            #expect(try run(["cp", "\(name):/tmp/link", out.path + "/"]).status == 0)
            #expect(try run(["cp", "-L", "\(name):/tmp/chain", out.path + "/"]).status == 0)
            #expect(try run(["cp", "--follow-link", "\(name):/tmp/link", out.appendingPathComponent("renamed").path]).status == 0)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("link").path) == "real", "\(tag)")
            #expect(try String(contentsOf: out.appendingPathComponent("chain"), encoding: .utf8) == "inside\n", "\(tag)")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("chain").path)) == nil, "\(tag)")
            #expect(try String(contentsOf: out.appendingPathComponent("renamed"), encoding: .utf8) == "inside\n", "\(tag)")
            #expect(try run(["cp", "-L", directory.appending("hostlink").path, "\(name):/tmp/"]).status == 0)
            #expect(try run(["exec", name, "cat", "/tmp/hostlink"]).text == "outside\n", "\(tag)")
            #expect(try run(["exec", name, "test", "-L", "/tmp/hostlink"]).status == 1, "\(tag)")
            #expect(try run(["cp", directory.appending("hostlink").path, "\(name):/tmp/plainlink"]).status == 0)
            #expect(try run(["exec", name, "readlink", "/tmp/plainlink"]).text == "hostreal\n", "\(tag)")
        }
        print("cp -L/--follow-link: both ways as docker's")
    }
}

extension CLICompatibilityTests {
    /// `cp -a`: what comes in belongs to the container's user and its group (the daemon's
    /// `copyUIDGID`); without it, what comes in keeps the host's owners. What goes out is the
    /// caller's either way (Docker 20.10's CLI gives it no owners with `-a` either).
    @Test(.timeLimit(.minutes(3)), .enabled(if: Interop.isRoot))
    func copyInArchiveModeAsDockers() throws {
        let name = uniqueDockerName("copy-a")
        defer {
            removeBoth(name)
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        let script = ["sh", "-c", "exec sleep 1000"]
        _ = try ExternalCommand.checked([Interop.docker, "run", "-d", "--network", "none", "-u", "daemon", "--name", name, image] + script)
        let started = try Interop.hoist(["run", "-d", "--pull", "never", "--network", "none", "-u", "daemon", "--name", name, image] + script, root: store)
        try #require(started.status == 0, "\(started.errorText)")
        let directory = try TemporaryDirectory()
        let hostFile = directory.appending("owned")
        try Data("owned\n".utf8).write(to: hostFile)
        try ExternalCommand.checked(["chown", "4321:4322", hostFile.path])
        var owners: [String: [String]] = [:]
        for (tag, run) in [("docker", { try ExternalCommand.run([Interop.docker] + $0) }), ("hoist", { try Interop.hoist($0, root: store) })]
            as [(String, ([String]) throws -> ExternalCommand.Output)] {
            #expect(try run(["cp", hostFile.path, "\(name):/tmp/plain"]).status == 0, "\(tag)")
            #expect(try run(["cp", "-a", hostFile.path, "\(name):/tmp/archived"]).status == 0, "\(tag)")
            let inside = try run(["exec", name, "stat", "-c", "%u:%g", "/tmp/plain", "/tmp/archived"]).text
            let out = directory.appending(tag)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            #expect(try run(["cp", "\(name):/tmp/archived", out.appendingPathComponent("plain").path]).status == 0, "\(tag)")
            #expect(try run(["cp", "--archive", "\(name):/tmp/archived", out.appendingPathComponent("archived").path]).status == 0, "\(tag)")
            let outside = try ExternalCommand.checked(
                ["stat", "-c", "%u:%g", out.appendingPathComponent("plain").path, out.appendingPathComponent("archived").path]).text
            owners[tag] = (inside + outside).split(separator: "\n").map(String.init)
        }
        #expect(owners["hoist"] == owners["docker"], "hoist \(owners["hoist"] ?? []) docker \(owners["docker"] ?? [])")
        #expect(owners["hoist"] == ["4321:4322", "1:1", "0:0", "0:0"], "\(owners)")
        print("cp -a/--archive: owners both ways as docker's")
    }
}
