import Foundation
import Hoist
import HoistTestSupport
import Testing

/// The `docker run` habits on the docker backend: `hoist --backend docker create FLAGS` must
/// make the container `docker create FLAGS` makes — the daemon's own `inspect` of both agrees
/// on every field the flags set — and runs with them behave alike. Nothing is dropped on the way.
@Suite("docker run options on the docker backend", .serialized, .enabled(if: Interop.dockerAvailable))
struct DockerRunOptionsTests {
    let scene: DaemonScene

    init() throws {
        scene = try DaemonScene("hoist-docker-options")
    }

    /// The inspect fields the flags below set; `.Mounts` as type, destination and writability
    /// (anonymous volumes' names differ).
    static let fields = [
        "{{json .HostConfig.Tmpfs}}", "{{json .HostConfig.Ulimits}}", "{{json .HostConfig.ShmSize}}", "{{json .HostConfig.Devices}}",
        "{{json .HostConfig.RestartPolicy}}", "{{json .HostConfig.Init}}", "{{json .HostConfig.ExtraHosts}}", "{{json .HostConfig.Dns}}",
        "{{json .HostConfig.DnsSearch}}", "{{json .HostConfig.DnsOptions}}", "{{json .HostConfig.PortBindings}}",
        "{{json .HostConfig.PublishAllPorts}}", "{{json .HostConfig.NetworkMode}}", "{{json .HostConfig.Binds}}",
        "{{json .HostConfig.AutoRemove}}", "{{json .Config.Labels}}", "{{json .Config.StopSignal}}", "{{json .Config.StopTimeout}}",
        "{{json .Config.ExposedPorts}}", "{{range .Mounts}}{{.Type}} {{.Destination}} {{.RW}};{{end}}",
    ]

    /// What `docker inspect` says of container `name` for each of ``fields``.
    func inspect(_ name: String) throws -> [String] {
        try Self.fields.map { try ExternalCommand.checked([Interop.docker, "inspect", "--format", $0, name]).text }
    }

    /// The strings of a JSON array, sorted (`null` is none).
    static func sortedJSONStrings(_ json: String) throws -> [String] {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])
        return ((value as? [String]) ?? []).sorted()
    }

    @Test func createMakesTheContainerDockerCreateMakes() throws {
        let shared = scene.directory.appending("shared")
        try FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        let volume = uniqueDockerName("named")
        let flags = [
            "--tmpfs", "/scratch:size=1m,mode=1770", "--ulimit", "nofile=1024:2048", "--shm-size", "8m",
            "--device", "/dev/null:/dev/hoist-null:rw", "--restart", "on-failure:2", "--init", "--add-host", "db:127.0.0.5",
            "--dns", "127.0.0.53", "--dns-search", "example.test", "--dns-option", "ndots:2", "-p", "127.0.0.1:18080:80",
            "-p", "9090/udp", "-l", "team=hoist", "--stop-signal", "SIGUSR1", "--stop-timeout", "7", "-v", "/anonymous",
            "-v", "\(volume):/named", "-v", "\(shared.path):/shared:ro", "--mount", "type=bind,source=\(shared.path),target=/bound,readonly",
            "--mount", "type=volume,target=/mounted-anonymous",
        ]
        let dockerName = uniqueDockerName("docker-created")
        let hoistName = uniqueDockerName("hoist-created")
        defer {
            _ = try? ExternalCommand.run([Interop.docker, "rm", "-f", "-v", dockerName, hoistName])
            _ = try? ExternalCommand.run([Interop.docker, "volume", "rm", "-f", volume])
            _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", scene.image])
        }
        try ExternalCommand.checked([Interop.docker, "create", "--name", dockerName] + flags + [scene.image, "true"])
        let created = try Interop.hoist(["create", "--backend", "docker", "--name", hoistName] + flags + [scene.image, "true"], root: scene.store)
        #expect(created.status == 0, "\(created.errorText)")
        let docker = try inspect(dockerName)
        let hoist = try inspect(hoistName)
        for (index, field) in Self.fields.enumerated() {
            var expected = docker[index]
            if field.hasPrefix("{{range .Mounts}}") {
                // The order of .Mounts is the daemon's map order: compare as sets.
                expected = Set(expected.split(separator: ";")).sorted().joined(separator: ";")
                let seen = Set(hoist[index].split(separator: ";")).sorted().joined(separator: ";")
                #expect(seen == expected, "\(field):\nhoist:  \(seen)\ndocker: \(expected)")
            } else if field == "{{json .HostConfig.Binds}}" {
                // Docker's CLI gathers -v binds from a Go map, so their order changes from run to run.
                let seen = try Self.sortedJSONStrings(hoist[index]), wanted = try Self.sortedJSONStrings(expected)
                #expect(seen == wanted, "\(field):\nhoist:  \(seen)\ndocker: \(wanted)")
            } else {
                #expect(hoist[index] == expected, "\(field):\nhoist:  \(hoist[index])docker: \(expected)")
            }
        }
        #expect(hoist.last?.contains("volume /anonymous true") == true, "\(hoist.last ?? "")")
    }

    @Test func runsWithTheOptionsBehaveAsDockerRuns() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", scene.image]) }
        let flags = ["--network=none", "--ulimit", "nofile=1024:2048", "--shm-size", "8m", "--tmpfs", "/scratch:size=1m", "-v", "/anonymous"]
        let probe = "grep 'open files' /proc/self/limits; grep -E ' /dev/shm | /scratch ' /proc/mounts | cut -d' ' -f2,3,4; touch /anonymous/x && echo writable"
        let docker = try ExternalCommand.run([Interop.docker, "run", "--rm"] + flags + [scene.image, "sh", "-c", probe])
        let hoist = try ExternalCommand.run(
            [Interop.hoistExecutable, "run", "--rm"] + flags + [scene.image, "sh", "-c", probe],
            environment: ["HOIST_ROOT": scene.store.path, "HOIST_BACKEND": "docker"])
        #expect(hoist.status == 0 && docker.status == 0, "\(hoist.errorText)")
        #expect(hoist.text == docker.text, "hoist:\n\(hoist.text)\ndocker:\n\(docker.text)")
    }

    /// `--platform` reaches the daemon: its own platform's image runs; another is the daemon's
    /// refusal, as `docker run --platform` gets it.
    @Test func thePlatformIsTheDaemonsChoice() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", scene.image]) }
        let host = try scene.hoist("run", "--rm", "--pull", "never", "--network=none", "--platform", "linux/amd64", scene.image, "uname", "-m")
        #expect(host.status == 0 && host.text == "x86_64\n", "\(host.errorText)")
        let other = try scene.hoist("run", "--rm", "--pull", "never", "--network=none", "--platform", "linux/arm64", scene.image, "true")
        let docker = try ExternalCommand.run(
            [Interop.docker, "run", "--rm", "--pull", "never", "--network=none", "--platform", "linux/arm64", scene.image, "true"])
        #expect(other.status != 0 && docker.status != 0)
        #expect(other.errorText.contains("does not match the specified platform"), "hoist: \(other.errorText)\ndocker: \(docker.errorText)")
    }

    @Test func whatTheDaemonCannotTakeIsRefusedByName() throws {
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", scene.image]) }
        let alias = try scene.hoist("create", "--network=none", "--network-alias", "web", scene.image, "true")
        #expect(alias.status != 0 && alias.errorText.contains("--network-alias"), "\(alias.errorText)")
    }
}
