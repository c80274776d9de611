import Foundation
import Hoist
import HoistTestSupport
import Testing

/// Named volumes against Docker's `local` driver (issue 24): made on first use by `-v NAME:/path`,
/// filled from the image when empty (copy-up), shared between containers, and managed by
/// `volume create/ls/inspect/rm/prune` with the volumes of kept containers left alone. Anonymous
/// volumes (`-v /path`, an image's VOLUME): one per container, removed with it by `rm -v` and
/// `--rm`, kept otherwise.
@Suite(
    "Named volumes, parity with Docker", .serialized,
    .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc")))
struct VolumeParityTests {
    static let image = "hoist-volume-parity:1"

    let fixture: BusyboxFixture
    let store: URL

    init() throws {
        fixture = try BusyboxFixture.alsoInDocker(Self.image)
        store = fixture.client.store.root.url
    }

    /// `run --rm FLAGS IMAGE COMMAND` under docker and hoist.
    func both(_ flags: [String], _ command: [String]) throws -> (docker: ExternalCommand.Output, hoist: ExternalCommand.Output) {
        let docker = try ExternalCommand.run([Interop.docker, "run", "--rm", "--network=none"] + flags + [Self.image] + command)
        let hoist = try Interop.hoist(["run", "--rm", "--network=none"] + flags + [Self.image] + command, root: store)
        return (docker, hoist)
    }

    /// What a directory holds, without times, and without what Docker's init layer puts in /etc
    /// (an mtab link, 0755 mount points for hosts, hostname and resolv.conf; Hoist has no init
    /// layer, and runc makes those mount points 0700).
    static let listing = [
        "sh", "-c",
        "stat -c '%a %u %g' /data; ls -lna /data | tail -n +2 | awk '{print $1, $3, $4, $5, $9}' | grep -v -E ' (mtab|hosts|hostname|resolv.conf)$'",
    ]

    @Test func firstUseCopiesTheImagesFilesAndLaterUsesShareThem() throws {
        let volume = uniqueDockerName("copy-up")
        defer { _ = try? ExternalCommand.run([Interop.docker, "volume", "rm", "-f", volume]) }
        // First use at /etc: the volume is made and gets the image's /etc.
        let first = try both(["-v", "\(volume):/etc"], ["sh", "-c", "echo added > /etc/added"])
        #expect(first.hoist.status == first.docker.status && first.hoist.status == 0, "\(first.hoist.errorText)")
        let seen = try both(["-v", "\(volume):/data"], Self.listing)
        #expect(seen.hoist.status == 0, "\(seen.hoist.errorText)")
        #expect(seen.hoist.text == seen.docker.text, "hoist:\n\(seen.hoist.text)\ndocker:\n\(seen.docker.text)")
        #expect(seen.hoist.text.contains(" passwd"), "\(seen.hoist.text)")
        #expect(seen.hoist.text.contains(" added"), "\(seen.hoist.text)")
        // A volume that is not empty is not filled again.
        let again = try both(["-v", "\(volume):/bin"], ["sh", "-c", "ls /bin | wc -l"])
        #expect(again.hoist.status != 0 || again.hoist.text == again.docker.text, "hoist: \(again.hoist.text) \(again.hoist.errorText), docker: \(again.docker.text)")
        #expect(again.hoist.status == again.docker.status)
        #expect(try Interop.hoist(["volume", "ls", "-q"], root: store).text == volume + "\n")
    }

    @Test func volumeCommands() throws {
        let name = uniqueDockerName("managed")
        let created = try Interop.hoist(["volume", "create", "--label", "team=hoist", name], root: store)
        #expect(created.text == name + "\n", "\(created.errorText)")
        // Creating it again is harmless, as with docker.
        #expect(try Interop.hoist(["volume", "create", name], root: store).status == 0)
        let inspected = try Interop.hoist(["volume", "inspect", name], root: store)
        let objects = try #require(try JSONSerialization.jsonObject(with: inspected.standardOutput) as? [[String: Any]])
        #expect(objects.first?["Name"] as? String == name)
        #expect(objects.first?["Driver"] as? String == "local")
        #expect((objects.first?["Labels"] as? [String: String]) == ["team": "hoist"])
        let mountpoint = try #require(objects.first?["Mountpoint"] as? String)
        #expect(FileManager.default.fileExists(atPath: mountpoint))

        // In use by a kept container: rm and prune leave it.
        let container = try Interop.hoist(["create", "--network=none", "-v", "\(name):/data", Self.image, "true"], root: store)
        #expect(container.status == 0, "\(container.errorText)")
        let refused = try Interop.hoist(["volume", "rm", name], root: store)
        #expect(refused.status != 0)
        #expect(refused.errorText.contains("volume is in use"), "\(refused.errorText)")
        let unused = try Interop.hoist(["volume", "create"], root: store).text.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(unused.count == 64)
        let pruned = try Interop.hoist(["volume", "prune", "-f"], root: store)
        #expect(pruned.text.contains(unused) && !pruned.text.contains(name), "\(pruned.text)")
        #expect(try Interop.hoist(["volume", "ls", "-q"], root: store).text == name + "\n")

        // Once the container has gone, so can the volume.
        #expect(try Interop.hoist(["rm", container.text.trimmingCharacters(in: .whitespacesAndNewlines)], root: store).status == 0)
        #expect(try Interop.hoist(["volume", "rm", name], root: store).status == 0)
        #expect(!FileManager.default.fileExists(atPath: mountpoint))
        let missing = try Interop.hoist(["volume", "inspect", name], root: store)
        #expect(missing.status != 0 && missing.errorText.contains("no such volume"), "\(missing.errorText)")
    }

    @Test func badVolumeNamesAreRefusedAsDockerRefusesThem() throws {
        let (docker, hoist) = try both(["-v", "bad name!:/data"], ["true"])
        #expect(docker.status != 0 && hoist.status != 0)
        #expect(hoist.errorText.contains("invalid characters for a local volume name"), "\(hoist.errorText)")
    }

    @Test func mountTypeVolume() throws {
        let volume = uniqueDockerName("mount")
        defer { _ = try? ExternalCommand.run([Interop.docker, "volume", "rm", "-f", volume]) }
        let written = try both(["--mount", "type=volume,source=\(volume),target=/data"], ["sh", "-c", "echo kept > /data/file"])
        #expect(written.hoist.status == 0, "\(written.hoist.errorText)")
        let read = try both(["--mount", "type=volume,source=\(volume),target=/data,readonly"], ["sh", "-c", "cat /data/file; touch /data/x"])
        #expect(read.hoist.text == read.docker.text && read.hoist.text == "kept\n")
        #expect(read.hoist.status == read.docker.status)
        #expect(read.hoist.errorText == read.docker.errorText)
    }

    /// The volumes `hoist volume ls` lists (the test's store: no other test adds to it).
    func hoistVolumes() throws -> Set<String> {
        Set(try Interop.hoist(["volume", "ls", "-q"], root: store).text.split(separator: "\n").map(String.init))
    }

    /// The volumes Docker mounts in container `name`, by destination (the daemon is shared with
    /// other suites: its volumes are followed by name, never counted).
    static func dockerVolumes(of name: String) throws -> [String: String] {
        let text = try ExternalCommand.checked(
            [Interop.docker, "inspect", "--format", "{{range .Mounts}}{{.Destination}}={{.Name}};{{end}}", name]).text
        return Dictionary(text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").compactMap { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }) { $1 }
    }

    /// Whether Docker has volume `name`.
    static func dockerHasVolume(_ name: String) throws -> Bool {
        try ExternalCommand.run([Interop.docker, "volume", "inspect", name]).status == 0
    }

    /// `create FLAGS IMAGE true` under docker and hoist, with the same name.
    func createBoth(_ flags: [String], image: String = Self.image) throws -> String {
        let name = uniqueDockerName("anonymous")
        try ExternalCommand.checked([Interop.docker, "create", "--network=none", "--name", name] + flags + [image, "true"])
        let created = try Interop.hoist(["create", "--network=none", "--name", name] + flags + [image, "true"], root: store)
        #expect(created.status == 0, "\(created.errorText)")
        return name
    }

    /// `rm FLAGS NAME` under docker and hoist.
    func removeBoth(_ flags: [String], _ name: String) throws {
        try ExternalCommand.checked([Interop.docker, "rm"] + flags + [name])
        let removed = try Interop.hoist(["rm"] + flags + [name], root: store)
        #expect(removed.status == 0, "\(removed.errorText)")
    }

    @Test func anonymousVolumesGoWithRmVAndRmAndStayOtherwise() throws {
        var dockerLeft: Set<String> = []
        defer { for volume in dockerLeft { _ = try? ExternalCommand.run([Interop.docker, "volume", "rm", "-f", volume]) } }

        // --rm: a volume while it runs, none after.
        let mounted = ["sh", "-c", "echo x > /data/f && awk '$2 == \"/data\"' /proc/mounts | wc -l"]
        let run = try both(["-v", "/data"], mounted)
        #expect(run.hoist.status == 0 && run.docker.status == 0, "\(run.hoist.errorText)")
        #expect(run.hoist.text == run.docker.text && run.hoist.text == "1\n", "hoist: \(run.hoist.text) docker: \(run.docker.text)")
        let mountRun = try both(["--mount", "type=volume,target=/data"], mounted)
        #expect(mountRun.hoist.text == mountRun.docker.text && mountRun.hoist.text == "1\n", "\(mountRun.hoist.errorText)")
        #expect(try hoistVolumes().isEmpty)
        // Docker's --rm takes the volume it made: followed by name through a -d --rm run.
        let background = uniqueDockerName("anonymous-rm")
        try ExternalCommand.checked([Interop.docker, "run", "-d", "--rm", "--network=none", "--name", background, "-v", "/data", Self.image, "sleep", "60"])
        let dockerRunVolume = try #require(try Self.dockerVolumes(of: background)["/data"])
        try ExternalCommand.checked([Interop.docker, "kill", background])
        for _ in 0..<100 where try ExternalCommand.run([Interop.docker, "inspect", background]).status == 0 {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(try !Self.dockerHasVolume(dockerRunVolume), "docker's --rm left \(dockerRunVolume)")

        // Kept containers keep theirs; `rm` leaves it, `rm -v` removes it but not a named one.
        let plain = try createBoth(["-v", "/data"])
        let listed = try hoistVolumes()
        #expect(listed.count == 1 && listed.first?.count == 64, "\(listed)")
        let dockerPlain = try #require(try Self.dockerVolumes(of: plain)["/data"])
        dockerLeft.insert(dockerPlain)
        try removeBoth([], plain)
        #expect(try Self.dockerHasVolume(dockerPlain))
        #expect(try hoistVolumes() == listed)

        let named = uniqueDockerName("named")
        dockerLeft.insert(named)
        let withNamed = try createBoth(["-v", "/data", "-v", "\(named):/named"])
        let dockerAnonymous = try #require(try Self.dockerVolumes(of: withNamed)["/data"])
        try removeBoth(["-v"], withNamed)
        let anonymousKept = try Self.dockerHasVolume(dockerAnonymous)
        let namedKept = try Self.dockerHasVolume(named)
        #expect(!anonymousKept && namedKept)
        let hoistLeft = try hoistVolumes()
        #expect(hoistLeft == listed.union([named]), "\(hoistLeft)")
    }

    @Test func anImagesVolumeIsAnAnonymousVolumeFilledFromTheImage() throws {
        let image = "hoist-volume-parity-declared:1"
        try ExternalCommand.checked([Interop.docker, "import", "-c", "CMD [\"sh\"]", "-c", "VOLUME /etc", fixture.rootfs.path, image])
        defer { _ = try? ExternalCommand.run([Interop.docker, "rmi", image]) }
        try fixture.client.importImage(rootfs: fixture.rootfs, as: image, changes: ["CMD [\"sh\"]", "VOLUME /etc"])

        // A volume at /etc holding the image's files (but what Docker's init layer adds there).
        let probe = "awk '$2 == \"/etc\"' /proc/mounts | wc -l; ls -A /etc | grep -v -x -E 'mtab|hosts|hostname|resolv.conf'"
        let docker = try ExternalCommand.run([Interop.docker, "run", "--rm", "--network=none", image, "sh", "-c", probe])
        let hoist = try Interop.hoist(["run", "--rm", "--network=none", image, "sh", "-c", probe], root: store)
        #expect(hoist.status == 0 && docker.status == 0, "\(hoist.errorText)")
        #expect(hoist.text == docker.text, "hoist:\n\(hoist.text)\ndocker:\n\(docker.text)")
        #expect(hoist.text.hasPrefix("1\n") && hoist.text.contains("passwd"), "\(hoist.text)")
        #expect(try hoistVolumes().isEmpty)

        // A volume named at the path takes the VOLUME's place: no anonymous one.
        let covered = uniqueDockerName("covered")
        defer { _ = try? ExternalCommand.run([Interop.docker, "volume", "rm", "-f", covered]) }
        let name = try createBoth(["-v", "\(covered):/etc"], image: image)
        #expect(try Self.dockerVolumes(of: name) == ["/etc": covered])
        #expect(try hoistVolumes() == [covered])
        try removeBoth(["-v"], name)
        #expect(try Self.dockerHasVolume(covered))
        #expect(try hoistVolumes() == [covered])
    }
}
