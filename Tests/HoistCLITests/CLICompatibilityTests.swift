import Foundation
import HoistTestSupport
import Testing

/// Docker's CLI habits run against `hoist` and `/usr/bin/docker` on the same image (issue 19):
/// `inspect` key sets and `--format` templates (Go's text/template with Docker's functions),
/// exit codes of usage errors and of `run`, and global options before the verb. Outputs are
/// compared after removing what is known to differ (IDs, times); each known difference is named
/// here. Each test prints a table of what it compared (verb, flags, what, the result).
@Suite("CLI compatibility with docker", .serialized, .enabled(if: Interop.isRoot && Interop.dockerAvailable))
struct CLICompatibilityTests {
    let fixture: BusyboxFixture
    let store: URL
    let image: String

    /// Config changes both importers apply alike.
    static let changes = ["CMD [\"sh\", \"-c\", \"echo hi\"]", "ENV A=1 B=two", "LABEL a=b c=\"d e\"", "WORKDIR /tmp", "USER 1:1",
                          "ENTRYPOINT [\"/bin/env\"]"]

    init() throws {
        image = uniqueDockerName("cli") + ":1"
        fixture = try BusyboxFixture()
        store = fixture.directory.appending("cli-store")
        let changeFlags = Self.changes.flatMap { ["-c", $0] }
        try ExternalCommand.checked([Interop.docker, "import"] + changeFlags + [fixture.rootfs.path, image])
        let imported = try Interop.hoist(["import"] + changeFlags + [fixture.rootfs.path, image], root: store)
        try #require(imported.status == 0, "\(imported.errorText)")
    }

    /// Templates over fields both sides know, as scripts write them.
    static let templates = [
        "{{.Config.Cmd}}", "{{json .Config.Cmd}}", "{{join .Config.Cmd \" \"}}", "{{.Config.Entrypoint}}",
        "{{range .Config.Env}}{{println .}}{{end}}", "{{range $i, $e := .Config.Env}}{{$i}}:{{$e}};{{end}}",
        "{{.Os}}/{{.Architecture}}", "{{upper .Os}} {{title .Os}} {{lower \"ABC\"}}",
        "{{json .Config.Labels}}", "{{index .Config.Labels \"c\"}}", "{{.Config.Labels}}",
        "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}",
        "{{len .RootFS.Layers}} {{.RootFS.Type}}", "{{json .RepoTags}}", "{{index .RepoTags 0}}",
        "{{.Config.WorkingDir}}|{{.Config.User}}|{{.Config.Hostname}}|{{.Config.Domainname}}",
        "{{if .Config.Entrypoint}}entrypoint{{else}}none{{end}}", "{{with .Config.OnBuild}}{{.}}{{else}}no onbuild{{end}}",
        "{{printf \"%s-%d-%q\" .Os (len .RootFS.Layers) .Config.WorkingDir}}", "{{.Config.Tty}} {{.Config.OpenStdin}} {{.Config.Env | len}}",
        "{{split (index .Config.Env 0) \"=\"}}", "{{- range .Config.Env -}} [{{ . }}] {{- end }}",
        "{{eq .Os \"linux\"}} {{ne .Architecture \"s390x\"}} {{and .Os .Config.Cmd}} {{or .Config.User \"root\"}}",
        "{{pad .Os 2 1}}|{{truncate .Os 3}}|{{slice .Os 1 3}}",
        // inspect takes the text as written: no table, `\t` stays two characters.
        "table {{.Os}}\\t{{.Architecture}}",
        // Known difference: DockerVersion is the daemon's version in Docker, empty here.
        "{{json .Config.Entrypoint}}{{\"\\n\"}}{{.Parent}}|{{.Container}}",
    ]

    /// Known differences: Docker inspects typed structs, Hoist JSON, so Go's `struct{}` values
    /// (ExposedPorts, Volumes) print as `{}` there and `map[]` here; not compared.
    @Test func imageInspectTemplatesPrintAsDockers() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image]) }
        var covered = CompatibilityCoverage()
        for template in Self.templates {
            let docker = try ExternalCommand.run([Interop.docker, "image", "inspect", "--format", template, image])
            let hoist = try Interop.hoist(["inspect", "--format", template, image], root: store)
            #expect(docker.status == 0, "docker: \(docker.errorText)")
            #expect(hoist.status == docker.status && hoist.text == docker.text,
                    "\(template)\n hoist (\(hoist.status)): \(hoist.text.debugDescription) \(hoist.errorText)\n docker: \(docker.text.debugDescription)")
            covered.record("image inspect", "--format \(template)", compared: "exit code, output", same: hoist.status == docker.status && hoist.text == docker.text)
        }
        // Templates both refuse: an unknown function (parsing) and a key the object lacks.
        for template in ["{{nosuch .Os}}", "{{.Nope}}", "{{.Config.Nope}}", "{{index .RepoTags 5}}"] {
            let docker = try ExternalCommand.run([Interop.docker, "image", "inspect", "--format", template, image])
            let hoist = try Interop.hoist(["inspect", "--format", template, image], root: store)
            #expect(docker.status != 0 && hoist.status == docker.status, "\(template): hoist \(hoist.status), docker \(docker.status)")
            #expect(hoist.errorText.contains("template"), "\(hoist.errorText)")
            covered.record("image inspect", "--format \(template)", compared: "exit code (both fail)", same: docker.status != 0 && hoist.status == docker.status)
        }
        covered.print("image inspect templates")
    }

    @Test func imageInspectHasDockersKeys() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image]) }
        let docker = try Self.object(try ExternalCommand.checked([Interop.docker, "image", "inspect", image]).standardOutput)
        let hoist = try Self.object(try Interop.hoist(["inspect", image], root: store).standardOutput)
        #expect(Set(docker.keys).subtracting(hoist.keys).isEmpty, "missing: \(Set(docker.keys).subtracting(hoist.keys).sorted())")
        let dockerConfig = try #require(docker["Config"] as? [String: Any])
        let hoistConfig = try #require(hoist["Config"] as? [String: Any])
        #expect(Set(dockerConfig.keys) == Set(hoistConfig.keys), "docker Config: \(dockerConfig.keys.sorted()), hoist: \(hoistConfig.keys.sorted())")
        for key in ["Cmd", "Entrypoint", "Env", "Labels", "WorkingDir", "User"] {
            #expect(Self.json(dockerConfig[key]) == Self.json(hoistConfig[key]), "Config.\(key)")
        }
        var covered = CompatibilityCoverage()
        covered.record("image inspect", "(JSON)", compared: "top-level keys ⊇ docker's (\(docker.count))", same: Set(docker.keys).subtracting(hoist.keys).isEmpty)
        covered.record("image inspect", "(JSON)", compared: "Config keys", same: Set(dockerConfig.keys) == Set(hoistConfig.keys))
        covered.record("image inspect", "(JSON)", compared: "Config Cmd/Entrypoint/Env/Labels/WorkingDir/User values",
                       same: ["Cmd", "Entrypoint", "Env", "Labels", "WorkingDir", "User"].allSatisfy { Self.json(dockerConfig[$0]) == Self.json(hoistConfig[$0]) })
        covered.print("image inspect keys")
    }

    @Test func containerInspectHasDockersKeys() throws {
        let name = uniqueDockerName("inspect")
        defer {
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name])
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        _ = try ExternalCommand.checked([Interop.docker, "create", "--name", name, "--label", "x=y", image, "true"])
        let created = try Interop.hoist(["create", "--name", name, "--label", "x=y", image, "true"], root: store)
        try #require(created.status == 0, "\(created.errorText)")
        let docker = try Self.object(try ExternalCommand.checked([Interop.docker, "container", "inspect", name]).standardOutput)
        let hoist = try Self.object(try Interop.hoist(["inspect", name], root: store).standardOutput)
        let missing = Set(docker.keys).subtracting(hoist.keys)
        #expect(missing.isEmpty, "missing: \(missing.sorted())")
        let dockerState = try #require(docker["State"] as? [String: Any])
        let hoistState = try #require(hoist["State"] as? [String: Any])
        #expect(Set(dockerState.keys).subtracting(hoistState.keys).isEmpty, "State misses \(Set(dockerState.keys).subtracting(hoistState.keys).sorted())")
        var covered = CompatibilityCoverage()
        covered.record("create", "--name --label", compared: "exit code", same: created.status == 0)
        covered.record("container inspect", "(JSON)", compared: "top-level keys ⊇ docker's (\(docker.count))", same: missing.isEmpty)
        covered.record("container inspect", "(JSON)", compared: "State keys ⊇ docker's", same: Set(dockerState.keys).subtracting(hoistState.keys).isEmpty)
        for template in ["{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}", "{{.Name}}", "{{.Path}} {{json .Args}}",
                         "{{json .Config.Labels}}", "{{.Config.Image}}", "{{.RestartCount}} {{len .Mounts}}"] {
            let dockerText = try ExternalCommand.run([Interop.docker, "container", "inspect", "--format", template, name]).text
            let hoistText = try Interop.hoist(["inspect", "--format", template, name], root: store).text
            #expect(hoistText == dockerText, "\(template): hoist \(hoistText.debugDescription), docker \(dockerText.debugDescription)")
            covered.record("container inspect", "--format \(template)", compared: "output", same: hoistText == dockerText)
        }
        _ = try? Interop.hoist(["rm", "-f", name], root: store)
        covered.print("container inspect")
    }

    /// `ps` and `images` listings: the same fields and `{{json .}}` keys, filters picking alike.
    @Test func listingsMatchDockers() throws {
        let name = uniqueDockerName("listed")
        defer {
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", name])
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
        }
        _ = try ExternalCommand.checked([Interop.docker, "create", "--name", name, "--label", "team=a", "--label", "b=c", image, "sh", "-c", "echo a long command line"])
        try #require(try Interop.hoist(["create", "--name", name, "--label", "team=a", "--label", "b=c", image, "sh", "-c", "echo a long command line"],
                                      root: store).status == 0)
        defer { _ = try? Interop.hoist(["rm", "-f", name], root: store) }
        let psCases = [
            // Labels are left out: Docker joins them in Go's random map order.
            ["ps", "-a", "--filter", "name=^/\(name)$", "--format", "{{.Names}}|{{.State}}|{{.Command}}|{{.Image}}|{{.Status}}"],
            ["ps", "-a", "--no-trunc", "--filter", "name=\(name)", "--format", "{{.Command}}"],
            ["ps", "-a", "--filter", "label=team=a", "--filter", "name=\(name)", "--format", "{{.Names}}"],
            ["ps", "-a", "--filter", "label=team=b", "--filter", "name=\(name)", "--format", "{{.Names}}"],
            ["ps", "--filter", "status=created", "--filter", "name=\(name)", "--format", "{{.Names}}"],
            ["ps", "--filter", "name=\(name)", "--format", "{{.Names}}"],
            ["ps", "-a", "--filter", "name=\(name)", "--format", "table {{.Names}}\\t{{.State}}"],
            ["ps", "--filter", "status=bogus"],
            ["ps", "--filter", "nokey=1"],
        ]
        var covered = CompatibilityCoverage()
        for arguments in psCases {
            let docker = try ExternalCommand.run([Interop.docker] + arguments)
            let hoist = try Interop.hoist(arguments, root: store)
            #expect(hoist.status == docker.status, "\(arguments): hoist \(hoist.status) \(hoist.errorText), docker \(docker.status) \(docker.errorText)")
            if docker.status == 0 { #expect(hoist.text == docker.text, "\(arguments): hoist \(hoist.text.debugDescription), docker \(docker.text.debugDescription)") }
            covered.record("ps", arguments.dropFirst().joined(separator: " ").replacingOccurrences(of: name, with: "NAME"),
                           compared: docker.status == 0 ? "exit code, output" : "exit code",
                           same: hoist.status == docker.status && (docker.status != 0 || hoist.text == docker.text))
        }
        let labels = ["ps", "-a", "--filter", "name=\(name)", "--format", "{{.Labels}}"]
        let dockerLabels = Set(try ExternalCommand.checked([Interop.docker] + labels).text.dropLast().split(separator: ","))
        let hoistLabels = Set(try Interop.hoist(labels, root: store).text.dropLast().split(separator: ","))
        #expect(hoistLabels == dockerLabels)
        covered.record("ps", "-a --format {{.Labels}}", compared: "output as a set (Go's map order)", same: hoistLabels == dockerLabels)
        let dockerKeys = try Self.lineKeys(try ExternalCommand.checked([Interop.docker, "ps", "-a", "--filter", "name=\(name)", "--format", "{{json .}}"]).standardOutput)
        let hoistKeys = try Self.lineKeys(try Interop.hoist(["ps", "-a", "--format", "json"], root: store).standardOutput)
        #expect(dockerKeys == hoistKeys, "ps json keys: docker \(dockerKeys.sorted()), hoist \(hoistKeys.sorted())")
        let dockerImageKeys = try Self.lineKeys(try ExternalCommand.checked([Interop.docker, "images", "--filter", "reference=\(image)", "--format", "{{json .}}"]).standardOutput)
        let hoistImageKeys = try Self.lineKeys(try Interop.hoist(["images", "--format", "json"], root: store).standardOutput)
        #expect(dockerImageKeys == hoistImageKeys, "images json keys: docker \(dockerImageKeys.sorted()), hoist \(hoistImageKeys.sorted())")
        covered.record("ps", "-a --format json / {{json .}}", compared: "keys", same: dockerKeys == hoistKeys)
        covered.record("images", "--format json / {{json .}}", compared: "keys", same: dockerImageKeys == hoistImageKeys)
        // Known differences: SIZE is the unpacked size in Docker, the stored (compressed) size in
        // Hoist; DIGEST is a registry's digest in Docker (`<none>` for an import), the manifest's here.
        let template = "{{.Repository}}:{{.Tag}}"
        let dockerImages = try ExternalCommand.checked([Interop.docker, "images", "--filter", "reference=\(image)", "--format", template]).text
        let hoistImages = try Interop.hoist(["images", "--format", template], root: store).text
        #expect(hoistImages == dockerImages)
        covered.record("images", "--format \(template)", compared: "output", same: hoistImages == dockerImages)
        covered.print("ps and images listings")
    }

    /// The keys of the first JSON object of a listing printed one object per line.
    static func lineKeys(_ data: Data) throws -> Set<String> {
        let first = try #require(String(decoding: data, as: UTF8.self).split(separator: "\n").first)
        return Set(try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]).keys)
    }

    /// Usage errors exit as Docker's: 125 for a bad flag, 1 for a wrong number of arguments.
    @Test func usageErrorsExitAsDockers() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image]) }
        var covered = CompatibilityCoverage()
        for arguments in [["images", "--no-such-flag"], ["run"], ["inspect"], ["rm", "--nope", "x"], ["tag", "a"]] {
            let docker = try ExternalCommand.run([Interop.docker] + arguments)
            let hoist = try Interop.hoist(arguments, root: store)
            #expect(hoist.status == docker.status, "\(arguments): hoist \(hoist.status) \(hoist.errorText), docker \(docker.status) \(docker.errorText)")
            covered.record(arguments[0], arguments.dropFirst().joined(separator: " "), compared: "exit code (\(docker.status))", same: hoist.status == docker.status)
        }
        covered.print("usage errors")
    }

    /// `run`'s exit codes as Docker's: 127 for a command that is not there, 126 for one that
    /// cannot be executed, 125 for Hoist's own failure (an image it lacks), else the command's.
    @Test(.enabled(if: Interop.available("runc"))) func runExitCodesAsDockers() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image]) }
        var covered = CompatibilityCoverage()
        let run = ["run", "--rm", "--pull", "never", "--network", "none"]
        for arguments in [run + ["--entrypoint", "/no/such/command", image], run + ["--entrypoint", "/etc/passwd", image],
                          run + ["--entrypoint", "sh", image, "-c", "exit 7"], run + ["hoist-no-such-image:1"]] {
            let docker = try ExternalCommand.run([Interop.docker] + arguments)
            let hoist = try Interop.hoist(arguments, root: store)
            #expect(hoist.status == docker.status, "\(arguments): hoist \(hoist.status) \(hoist.errorText), docker \(docker.status) \(docker.errorText)")
            covered.record("run", arguments.dropFirst().joined(separator: " ").replacingOccurrences(of: image, with: "IMAGE"),
                           compared: "exit code (\(docker.status))", same: hoist.status == docker.status)
        }
        covered.print("run exit codes")
    }

    /// `hoist --root DIR images` as `docker -H … images`: options before the verb.
    @Test func globalOptionsBeforeTheVerb() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image]) }
        let before = try ExternalCommand.run([Interop.hoistExecutable, "--root", store.path, "images", "--format", "{{.Repository}}"])
        let after = try ExternalCommand.run([Interop.hoistExecutable, "images", "--root", store.path, "--format", "{{.Repository}}"])
        #expect(before.status == 0 && before.text == after.text && before.text.contains(image.split(separator: ":")[0]), "\(before.text) \(before.errorText)")
        let equals = try ExternalCommand.run([Interop.hoistExecutable, "--root=\(store.path)", "images", "-q"])
        #expect(equals.status == 0 && !equals.text.isEmpty, "\(equals.errorText)")
        let missingValue = try ExternalCommand.run([Interop.hoistExecutable, "--root"])
        #expect(missingValue.status == 125 && missingValue.errorText.contains("--root"), "\(missingValue.errorText)")
        // -H names a Docker host, and so the docker backend: the same images as docker's own list.
        let host = try ExternalCommand.run([Interop.hoistExecutable, "-H", "unix:///var/run/docker.sock", "--root", store.path, "images",
                                            "--format", "{{.Repository}}:{{.Tag}}"])
        #expect(host.status == 0 && host.text.contains(image), "\(host.text) \(host.errorText)")
        var covered = CompatibilityCoverage()
        covered.record("images", "--root DIR before the verb, --root=DIR", compared: "output as after the verb", same: before.text == after.text && equals.status == 0)
        covered.record("(none)", "--root without a value", compared: "exit code (125)", same: missingValue.status == 125)
        covered.record("images", "-H unix:///var/run/docker.sock", compared: "output holds docker's image", same: host.status == 0 && host.text.contains(image))
        covered.print("global options")
    }

    /// `hoist version` in Docker's layout, each version from the part itself: the daemon's
    /// through `--backend docker` equal to `docker version`'s, runc's to `runc --version`.
    @Test func versionAsDockersLayout() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image]) }
        var covered = CompatibilityCoverage()
        for template in ["{{.Server.Version}}", "{{.Server.APIVersion}}", "{{.Server.Os}}/{{.Server.Arch}}"] {
            let docker = try ExternalCommand.checked([Interop.docker, "version", "--format", template]).text
            let hoist = try Interop.hoist(["--backend", "docker", "version", "--format", template], root: store)
            #expect(hoist.text == docker, "\(template): hoist \(hoist.text.debugDescription) \(hoist.errorText), docker \(docker.debugDescription)")
            covered.record("version", "--backend docker --format \(template)", compared: "output", same: hoist.text == docker)
        }
        let native = try Interop.hoist(["version"], root: store)
        #expect(native.status == 0, "\(native.errorText)")
        #expect(native.text.hasPrefix("Client:\n Version:") && native.text.contains("\nServer: Hoist\n"), "\(native.text)")
        if Interop.available("runc") {
            let runc = try ExternalCommand.checked(["runc", "--version"]).text.split(separator: "\n")[0].split(separator: " ").last.map(String.init)
            let hoistRunc = try Interop.hoist(["version", "--format", "{{range .Server.Components}}{{if eq .Name \"runc\"}}{{.Version}}{{end}}{{end}}"], root: store)
            #expect(hoistRunc.text == (runc ?? "") + "\n", "\(hoistRunc.text) \(hoistRunc.errorText)")
        }
        let json = try Interop.hoist(["version", "--format", "json"], root: store)
        let object = try JSONSerialization.jsonObject(with: json.standardOutput) as? [String: Any]
        #expect(object?["Client"] != nil && object?["Server"] != nil, "\(json.text)")
        covered.record("version", "--format json", compared: "Client and Server keys", same: object?["Client"] != nil && object?["Server"] != nil)
        covered.print("version")
    }

    static func object(_ data: Data) throws -> [String: Any] {
        let list = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return try #require(list.first)
    }

    static func json(_ value: Any?) -> String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: [value], options: [.sortedKeys, .fragmentsAllowed]) else { return "nil" }
        return String(decoding: data, as: UTF8.self)
    }
}
