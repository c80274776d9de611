import Foundation
@testable import Hoist
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// `hoist rmi`, `hoist prune`, `hoist images --filter` and `hoist system df` on stores of
/// imported busybox images.
@Suite("Image management: rmi, prune, filters, system df")
struct ImageManagementTests {
    // MARK: rmi

    @Test func rmiByNameUntagsAndDeletesWithTheLastName() throws {
        let store = try CommandLineStore()
        let id = try store.importImage("app:1")
        try store.checked(["tag", "app:1", "example.com/app:2"])

        let first = try store.checked(["rmi", "example.com/app:2"])
        #expect(first.text == "Untagged: example.com/app:2\n")
        #expect(try store.listing() == [Listed(name: "docker.io/library/app:1", id: id)])

        let second = try store.checked(["rmi", "app:1"])
        #expect(second.text == "Untagged: app:1\nDeleted: \(id)\n")
        #expect(try store.listing().isEmpty)
        #expect(try store.client().store.content.all().isEmpty, "every blob goes with the last image")
    }

    @Test func rmiByIDDeletesASingleNamedImageAndRefusesSeveralNamesWithoutForce() async throws {
        let store = try CommandLineStore()
        let single = try store.importImage("single:1")
        let shared = try store.importImage("shared:1")
        try store.checked(["tag", "shared:1", "shared:2"])

        let byID = try store.checked(["rmi", String(single.dropFirst(7).prefix(12))])
        #expect(byID.text == "Untagged: single:1\nDeleted: \(single)\n")

        let refused = try store.hoist(["rmi", shared])
        #expect(refused.status == 1)
        #expect(refused.errorText.contains("must be forced"), "stderr: \(refused.errorText)")
        #expect(refused.errorText.contains("referenced in multiple repositories"), "stderr: \(refused.errorText)")
        #expect(try store.listing().count == 2, "a refused removal removes nothing")
        let code = try await #require(throws: ClientError.self) { try await store.client().removeImage(shared) }
        #expect(code.code == .failedPrecondition)

        let forced = try store.checked(["rmi", "-f", shared])
        #expect(forced.text == "Untagged: shared:1\nUntagged: shared:2\nDeleted: \(shared)\n")
        #expect(try store.listing().isEmpty)
        #expect(try store.client().store.content.all().isEmpty)
    }

    @Test func rmiGoesOnAfterAFailureAndExitsNonZero() async throws {
        let store = try CommandLineStore()
        let kept = try store.importImage("kept:1")
        let removed = try store.importImage("removed:1")
        let output = try store.hoist(["rmi", "nosuch:1", "removed:1"])
        #expect(output.status == 1)
        #expect(output.errorText == "hoist: no such image: nosuch:1\n")
        #expect(output.text == "Untagged: removed:1\nDeleted: \(removed)\n")
        #expect(try store.listing() == [Listed(name: "docker.io/library/kept:1", id: kept)])
        try await store.expectKeptImagesAreWhole()
        let missing = try await #require(throws: ClientError.self) { try await store.client().removeImage("nosuch") }
        #expect(missing.code == .notFound)
    }

    // MARK: prune

    @Test func pruneRemovesExactlyTheDanglingImages() async throws {
        let store = try CommandLineStore()
        let danglingA = try store.importImage("app:1", labels: ["v": "1"])
        let danglingB = try store.importImage("app:1", labels: ["v": "2"])
        let app = try store.importImage("app:1", labels: ["v": "3"])
        let other = try store.importImage("other:1")
        let before = try store.listing()
        #expect(Set(before) == [
            Listed(name: "docker.io/library/app:1", id: app), Listed(name: "docker.io/library/other:1", id: other),
            Listed(name: nil, id: danglingA), Listed(name: nil, id: danglingB),
        ])

        let output = try store.checked(["prune", "-f"])
        #expect(output.text.hasPrefix("Deleted Images:\n"), "\(output.text)")
        #expect(output.text.contains("Total reclaimed space: "))
        #expect(Set(Self.deleted(in: output.text)) == [danglingA, danglingB])
        #expect(!output.text.contains("untagged:"), "dangling images have no names to untag:\n\(output.text)")
        #expect(Set(try store.listing()) == Set(before.filter { $0.name != nil }))
        try await store.expectKeptImagesAreWhole()

        let again = try store.checked(["prune", "--force"])
        #expect(again.text == "Total reclaimed space: 0B\n")
    }

    @Test func pruneAllWithLabelFiltersRemovesExactlyTheMatchingImages() async throws {
        let store = try CommandLineStore()
        let testOld = try store.importImage("web:1", labels: ["env": "test"])
        let test = try store.importImage("web:1", labels: ["env": "test", "tier": "web"])
        let prod = try store.importImage("web:prod", labels: ["env": "prod", "tier": "web"])
        let bare = try store.importImage("bare:1")
        let testDB = try store.importImage("db:1", labels: ["env": "test", "tier": "db"])
        let before = try store.listing()
        #expect(before.count == 5)

        // Two label filters: both must match.
        let both = try store.checked(["prune", "-a", "-f", "--filter", "label=env=test", "--filter", "label=tier=web"])
        #expect(Self.deleted(in: both.text) == [test], "\(both.text)")
        #expect(both.text.contains("untagged: web:1\n"), "\(both.text)")
        #expect(Set(try store.listing()) == Set(before.filter { $0.id != test }))
        try await store.expectKeptImagesAreWhole()

        // One label filter: the named and the dangling image that have it, nothing else.
        let env = try store.checked(["prune", "--all", "--force", "--filter", "label=env=test"])
        #expect(Set(Self.deleted(in: env.text)) == [testOld, testDB], "\(env.text)")
        #expect(Set(try store.listing()) == [Listed(name: "docker.io/library/web:prod", id: prod), Listed(name: "docker.io/library/bare:1", id: bare)])
        try await store.expectKeptImagesAreWhole()

        // The negation: images without the key go.
        let notEnv = try store.checked(["prune", "-a", "-f", "--filter", "label!=env"])
        #expect(Self.deleted(in: notEnv.text) == [bare], "\(notEnv.text)")
        #expect(try store.listing() == [Listed(name: "docker.io/library/web:prod", id: prod)])
        try await store.expectKeptImagesAreWhole()

        // Without --all, a named image is never pruned, whatever the filter says.
        let dangling = try store.checked(["prune", "-f", "--filter", "label=env=prod"])
        #expect(dangling.text == "Total reclaimed space: 0B\n")
        #expect(try store.listing().count == 1)
    }

    @Test func pruneUntilKeepsImagesCreatedAfterTheMoment() async throws {
        let store = try CommandLineStore()
        let recent = try store.importImage("recent:1")
        let old = try store.makeImage("old:1", createdAt: "2001-02-03T04:05:06Z", from: "recent:1")
        #expect(Set(try store.listing()) == [Listed(name: "docker.io/library/recent:1", id: recent), Listed(name: "docker.io/library/old:1", id: old)])

        // A second before the old image was made: nothing is that old.
        let tooEarly = try store.checked(["prune", "-a", "-f", "--filter", "until=2001-02-03T04:05:05Z"])
        #expect(tooEarly.text == "Total reclaimed space: 0B\n")
        // 1000 hours ago: the old image only, not the one created now.
        let thousandHours = try store.checked(["prune", "-a", "-f", "--filter", "until=1000h"])
        #expect(Self.deleted(in: thousandHours.text) == [old], "\(thousandHours.text)")
        #expect(try store.listing() == [Listed(name: "docker.io/library/recent:1", id: recent)])
        try await store.expectKeptImagesAreWhole()
        let day = try store.checked(["prune", "-a", "-f", "--filter", "until=24h"])
        #expect(day.text == "Total reclaimed space: 0B\n")

        let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let all = try store.checked(["prune", "-a", "-f", "--filter", "until=\(future)"])
        #expect(Self.deleted(in: all.text) == [recent], "\(all.text)")
        #expect(try store.listing().isEmpty)
    }

    @Test func pruneUntilADurationAgoRemovesOnlyOlderImages() async throws {
        let store = try CommandLineStore()
        let recent = try store.importImage("recent:1")
        let old = try store.makeImage("old:1", createdAt: "2020-01-01T00:00:00.5+02:00", from: "recent:1")
        let output = try store.checked(["prune", "-a", "-f", "--filter", "until=1h30m"])
        #expect(Self.deleted(in: output.text) == [old], "\(output.text)")
        #expect(try store.listing() == [Listed(name: "docker.io/library/recent:1", id: recent)])
        try await store.expectKeptImagesAreWhole()
    }

    @Test func unknownOrMalformedFiltersAreErrorsAndRemoveNothing() async throws {
        let store = try CommandLineStore()
        try store.importImage("app:1")
        try store.importImage("app:1", labels: ["v": "2"])
        let cases: [([String], String)] = [
            (["prune", "-a", "-f", "--filter", "colour=red"], "colour"),
            (["prune", "-a", "-f", "--filter", "reference=app"], "reference"),
            (["prune", "-a", "-f", "--filter", "until=yesterday"], "yesterday"),
            (["prune", "-a", "-f", "--filter", "label"], "label"),
            (["prune", "-a", "-f", "--filter", "dangling=maybe"], "dangling=maybe"),
            (["images", "--filter", "shape=round"], "shape"),
        ]
        for (arguments, message) in cases {
            let output = try store.hoist(arguments)
            #expect(output.status == 1, "hoist \(arguments) exited \(output.status)")
            #expect(output.errorText.hasPrefix("hoist: "), "stderr of hoist \(arguments): \(output.errorText)")
            #expect(output.errorText.contains(message), "stderr of hoist \(arguments): \(output.errorText)")
        }
        #expect(try store.listing().count == 2)
        let error = try await #require(throws: ClientError.self) { try await store.client().pruneImages(filters: ["colour=red"]) }
        #expect(error.code == .invalidArgument)
    }

    @Test func pruneAsksFirstUnlessForced() throws {
        let store = try CommandLineStore()
        try store.importImage("app:1")
        try store.importImage("app:1", labels: ["v": "2"])
        let declined = try store.hoist(["prune"], input: Data("n\n".utf8))
        #expect(declined.status == 0)
        #expect(declined.text.contains("Are you sure you want to continue? [y/N]"))
        #expect(try store.listing().count == 2)
        let accepted = try store.hoist(["prune"], input: Data("y\n".utf8))
        #expect(accepted.status == 0, "\(accepted.errorText)")
        #expect(Self.deleted(in: accepted.text).count == 1, "\(accepted.text)")
        #expect(try store.listing().count == 1)
    }

    // MARK: images --filter

    @Test func imagesFilterByDanglingLabelReferenceAndTime() throws {
        let store = try CommandLineStore()
        let dangling = try store.importImage("web:1", labels: ["env": "test"])
        let web = try store.importImage("web:1", labels: ["env": "prod"])
        let api = try store.importImage("example.com/team/api:2", labels: ["env": "test", "tier": "api"])
        let plain = try store.importImage("plain:1")
        let old = try store.makeImage("old:1", createdAt: "2001-01-01T00:00:00Z", from: "plain:1")

        #expect(try store.listing(["--filter", "dangling=true"]) == [Listed(name: nil, id: dangling)])
        #expect(try store.listing(["-f", "dangling=false"]).map(\.id) == [old, plain, web, api])
        #expect(try store.listing(["--filter", "label=env=test"]) == [Listed(name: "example.com/team/api:2", id: api), Listed(name: nil, id: dangling)])
        #expect(try store.listing(["--filter", "label=env=test", "--filter", "dangling=false"]) == [Listed(name: "example.com/team/api:2", id: api)])
        #expect(try store.listing(["--filter", "label!=env"]).map(\.id) == [old, plain])
        #expect(try store.listing(["--filter", "reference=web"]) == [Listed(name: "docker.io/library/web:1", id: web)])
        #expect(try store.listing(["--filter", "reference=example.com/*/api:*"]) == [Listed(name: "example.com/team/api:2", id: api)])
        #expect(try store.listing(["--filter", "reference=*"]).map(\.id) == [old, plain, web], "* does not cross a slash")
        #expect(try store.listing(["--filter", "reference=web", "--filter", "reference=old"]).map(\.id) == [old, web])
        #expect(try store.listing(["--filter", "until=24h"]).map(\.id) == [old])
        #expect(try store.listing(["--filter", "before=web:1"]).map(\.id) == [old, dangling])
        #expect(try store.listing(["--filter", "since=old:1"]).map(\.id) == [plain, web, api, dangling])
        #expect(try store.listing(["--filter", "since=web:1", "--filter", "before=plain:1"]).map(\.id) == [api])
        let filteredIDs = try store.checked(["images", "-q", "--filter", "dangling=true"])
        #expect(filteredIDs.text == String(dangling.dropFirst(7).prefix(12)) + "\n")
    }

    // MARK: system df

    @Test func systemDiskUsageCountsImagesAndSharedBlobsOnce() throws {
        let store = try CommandLineStore()
        try store.importImage("app:1", labels: ["v": "1"])
        try store.importImage("app:1", labels: ["v": "2"])
        try store.importImage("other:1")
        try store.checked(["tag", "other:1", "other:2"])

        let client = try store.client()
        let blobs = try client.store.content.all()
        let usage = try client.native.diskUsage()
        // Three images (one dangling, one with two names) sharing one layer: every blob counted once.
        #expect(usage.images == DiskUsage.Usage(total: 3, active: 0, size: blobs.reduce(0) { $0 + $1.size },
                                                reclaimable: blobs.reduce(0) { $0 + $1.size }))
        #expect(blobs.count == 1 + 3 * 2, "one shared layer, a config and a manifest per image")
        #expect(usage.containers == DiskUsage.Usage())
        #expect(usage.buildCache == DiskUsage.Usage())

        let table = try store.checked(["system", "df"])
        let lines = table.text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(lines.first == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"], "\(table.text)")
        let images = try #require(lines.first { $0.first == "Images" }, "\(table.text)")
        #expect(Array(images.prefix(3)) == ["Images", "3", "0"], "\(table.text)")
        #expect(images.last == "(100%)", "\(table.text)")
        #expect(lines.contains { $0.starts(with: ["Containers", "0", "0", "0B", "0B"]) }, "\(table.text)")
        #expect(lines.contains { $0.starts(with: ["Build", "Cache", "0", "0", "0B", "0B"]) }, "\(table.text)")

        let json = try store.checked(["system", "df", "--format", "json"])
        let decoded = try JSONDecoder().decode(DiskUsage.self, from: json.standardOutput)
        #expect(decoded == usage)
    }

    @Test func helpDocumentsEveryFlag() throws {
        let store = try CommandLineStore()
        let cases: [([String], [String])] = [
            (["rmi", "--help"], ["--force", "-f", "<images>"]),
            (["prune", "--help"], ["--all", "-a", "--filter", "--force", "-f", "until=", "label!="]),
            (["system", "df", "--help"], ["--format"]),
            (["system", "--help"], ["df"]),
            (["images", "--help"], ["--filter", "dangling=", "reference="]),
        ]
        for (arguments, expected) in cases {
            let help = try store.checked(arguments)
            for word in expected {
                #expect(help.text.contains(word), "hoist \(arguments.joined(separator: " ")) lacks \(word):\n\(help.text)")
            }
        }
    }

    // MARK: Filter values

    @Test(arguments: [
        ("24h", -86_400), ("90m", -5_400), ("10s", -10), ("1h30m", -5_400), ("1.5h", -5_400), ("300ms", -0.3),
        ("2h45m30.5s", -9_930.5), ("-1h", 3_600), ("+5m", -300), ("0s", 0), (".5s", -0.5), ("1us", -1e-6), ("1\u{B5}s", -1e-6),
    ] as [(String, Double)])
    func durationsCountBackFromNow(text: String, offset: Double) throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let date = try FilterTime.parse(text, now: now)
        #expect(abs(date.timeIntervalSince(now) - offset) < 1e-6, "\(text) gave \(date.timeIntervalSince(now))")
    }

    @Test(arguments: [
        ("0", 0.0), ("1700000000", 1_700_000_000), ("1700000000.25", 1_700_000_000.25),
        ("2024-05-01T10:30:00Z", 1_714_559_400), ("2024-05-01T10:30:00z", 1_714_559_400),
        ("2024-05-01T10:30:00.25Z", 1_714_559_400.25), ("2024-05-01T12:30:00+02:00", 1_714_559_400),
        ("2024-05-01T05:00:00-05:30", 1_714_559_400), ("2024-05-01T11:30:00", 1_714_559_400),
        ("2024-05-01T11:30", 1_714_559_400), ("2024-05-01T11", 1_714_557_600), ("2024-05-01", 1_714_518_000),
        ("2024-02-29", 1_709_161_200),
    ] as [(String, Double)])
    func timestampsAreReadAsDockerReadsThem(text: String, seconds: Double) throws {
        // Without a zone the value is local time; here one hour east of UTC.
        let zone = try #require(TimeZone(secondsFromGMT: 3600))
        let date = try FilterTime.parse(text, now: Date(), timeZone: zone)
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6, "\(text) gave \(date.timeIntervalSince1970)")
    }

    @Test(arguments: ["", "yesterday", "h", "1h30", "10x", "-", "2024-13-01", "2023-02-29", "2024-04-31", "2024-05-01T25:00",
                      "2024-05-01T10:30:00+2", "2024-05-01 10:30", "2024-5-1", "1700000000.", "1.2.3"])
    func malformedTimesAreInvalidArguments(text: String) throws {
        let error = try #require(throws: ClientError.self) { try FilterTime.parse(text) }
        #expect(error.code == .invalidArgument)
        #expect(error.message.contains("\"\(text)\""))
    }

    @Test func filterParsingChecksKeysAndCombinesConditions() throws {
        let unknown = try #require(throws: ClientError.self) {
            try ImageFilter(parsing: ["before=x"], accepting: ImageFilter.pruneKeys)
        }
        #expect(unknown.code == .invalidArgument)
        #expect(unknown.message.contains("'before'"), "\(unknown.message)")
        let conflicting = try #require(throws: ClientError.self) {
            try ImageFilter(parsing: ["dangling=true", "dangling=false"], accepting: ImageFilter.pruneKeys)
        }
        #expect(conflicting.code == .invalidArgument)

        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let filter = try ImageFilter(
            parsing: ["label=a", "label=b=2", "label!=c=3", "until=1h"], accepting: ImageFilter.pruneKeys, now: now)
        let old = now.addingTimeInterval(-7200)
        func candidate(_ labels: [String: String], created: Date = old) -> ImageFilter.Candidate {
            ImageFilter.Candidate(names: [], labels: labels, created: created)
        }
        #expect(filter.matches(candidate(["a": "", "b": "2"])))
        #expect(filter.matches(candidate(["a": "x", "b": "2", "c": "4"])))
        #expect(!filter.matches(candidate(["a": "x", "b": "2", "c": "3"])), "label! excludes")
        #expect(!filter.matches(candidate(["b": "2"])), "every label must match")
        #expect(!filter.matches(candidate(["a": "x", "b": "20"])), "values match exactly")
        #expect(!filter.matches(candidate(["a": "x", "b": "2"], created: now.addingTimeInterval(-60))), "until keeps newer images")
        #expect(filter.matches(candidate(["a": "x", "b": "2"], created: now.addingTimeInterval(-3600))), "until includes its moment")
    }

    // MARK: Helpers

    /// The image IDs after `deleted: ` in prune output, in order.
    private static func deleted(in output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            line.hasPrefix("deleted: ") ? String(line.dropFirst("deleted: ".count)) : nil
        }
    }
}

/// An image as `hoist images --format json` lists it: its full name (nil when dangling) and ID.
private struct Listed: Hashable {
    var name: String?
    var id: String
}

/// A store driven through the `hoist` executable, with a busybox root filesystem to import.
private struct CommandLineStore {
    let directory: TemporaryDirectory
    let root: URL
    let rootfs: URL

    init() throws {
        directory = try TemporaryDirectory()
        root = directory.appending("store")
        rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
    }

    /// A library client on the same store.
    func client() throws -> Client {
        try Client(root: StoreRoot(root))
    }

    /// Runs `hoist arguments`, whatever its exit status.
    func hoist(_ arguments: [String], input: Data? = nil) throws -> ExternalCommand.Output {
        try Interop.hoist(arguments, root: root, input: input)
    }

    /// Runs `hoist arguments` and fails (with its stderr) unless it exits 0.
    @discardableResult
    func checked(_ arguments: [String]) throws -> ExternalCommand.Output {
        let output = try hoist(arguments)
        guard output.status == 0 else { throw HoistFailed(arguments: arguments, output: output) }
        return output
    }

    /// Imports the busybox root filesystem as `name` with `labels`; returns the image ID. Each
    /// import gets its own history comment, so two imports never make the same image.
    @discardableResult
    func importImage(_ name: String, labels: [String: String] = [:]) throws -> String {
        var arguments = ["import", "--message", UUID().uuidString]
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { arguments += ["--change", "LABEL \(key)=\(value)"] }
        let output = try checked(arguments + [rootfs.path, name])
        return output.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Names `name` a copy of the image `source` whose config says it was created at `created`
    /// (RFC 3339), made with the library since an import is always created now; returns its ID.
    func makeImage(_ name: String, createdAt created: String, from source: String) throws -> String {
        let client = try client()
        let content = client.store.content
        let record = try #require(try client.store.image(named: try Reference(parsing: source).description))
        var manifest = try JSONDecoder().decode(ImageManifest.self, from: try content.data(try record.target.digest))
        var config = try JSONDecoder().decode(ImageConfig.self, from: try content.data(try manifest.config.digest))
        config.created = created
        let configBlob = try content.write(try CanonicalJSON.encode(config))
        manifest.config = Descriptor(mediaType: manifest.config.mediaType, digest: configBlob.digest, size: configBlob.size)
        let manifestBlob = try content.write(try CanonicalJSON.encode(manifest))
        let target = Descriptor(mediaType: record.target.mediaType, digest: manifestBlob.digest, size: manifestBlob.size)
        try client.store.setName(try Reference(parsing: name).description, target: target, created: Date())
        return configBlob.digest.description
    }

    /// `hoist images --format json` with `arguments`, as name and ID pairs in listing order.
    func listing(_ arguments: [String] = []) throws -> [Listed] {
        // One object per line with Docker's keys (Repository, Tag, ID), as `docker images --format json`.
        let output = try checked(["images", "--format", "json", "--no-trunc"] + arguments)
        return try output.text.split(separator: "\n").map { line in
            let image = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(output.text)")
            let repository = try #require(image["Repository"] as? String)
            let tag = try #require(image["Tag"] as? String)
            return Listed(name: repository == "<none>" ? nil : Self.fullName(repository + ":" + tag), id: try #require(image["ID"] as? String))
        }
    }

    /// `app:1` → `docker.io/library/app:1`, as Docker's familiar names expand.
    static func fullName(_ familiar: String) -> String {
        let first = familiar.split(separator: "/").first.map(String.init) ?? ""
        if !familiar.contains("/") { return "docker.io/library/" + familiar }
        return first.contains(".") || first.contains(":") || first == "localhost" ? familiar : "docker.io/" + familiar
    }

    /// Checks that every image left can be saved (all its blobs are there) and that every blob
    /// in the store verifies and belongs to one of them: pruning took nothing it kept and left
    /// nothing behind.
    func expectKeptImagesAreWhole(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let client = try client()
        let images = try await client.images()
        for (index, image) in images.enumerated() {
            let name = image.reference?.description ?? image.id.description
            let archive = directory.appending("kept-\(index).tar")
            let save = try hoist(["save", "-o", archive.path, name])
            #expect(save.status == 0, "hoist save \(name): \(save.errorText)", sourceLocation: sourceLocation)
        }
        let blobs = try client.store.content.all()
        for blob in blobs { try client.store.content.verify(blob.digest) }
        let reachable = try client.store.blobs(reachableFrom: try client.store.images().map(\.target))
        #expect(Set(blobs.map(\.digest)) == reachable, "the store holds exactly the blobs of the images left", sourceLocation: sourceLocation)
    }
}

/// A `hoist` run that should have succeeded, with what it printed.
private struct HoistFailed: Error, CustomStringConvertible {
    let arguments: [String]
    let output: ExternalCommand.Output
    var description: String {
        "hoist \(arguments.joined(separator: " ")) exited \(output.status): \(output.errorText)\(output.text)"
    }
}
