import Foundation
import Hoist
import HoistTestSupport
import Testing

/// Named volumes against Docker's `local` driver (issue 24): made on first use by `-v NAME:/path`,
/// filled from the image when empty (copy-up), shared between containers, and managed by
/// `volume create/ls/inspect/rm/prune` with the volumes of kept containers left alone.
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
}
