import Foundation
import Hoist
import HoistOCI
import HoistStore
import HoistTestSupport
import Testing

/// Multi-platform builds (issue 20) through real runc and real QEMU: the test registers
/// qemu-user-static's aarch64 handler in binfmt_misc and puts binfmt_misc back afterwards,
/// which is why the suite runs one test at a time.
@Suite(
    .serialized,
    .enabled(if: Interop.isRoot && Interop.available("runc") && Platform.host.architecture == "amd64"
        && Arm64Emulation.isPossible && Interop.hasArm64Busybox))
struct MultiPlatformBuildTests {
    /// A store whose `busybox` is a two-platform index over Debian's amd64 and arm64
    /// busybox-static (each also named `busybox:amd64`, `busybox:arm64`).
    /// A build context beside `fixture`'s store holding `dockerfile`.
    static func context(in fixture: BusyboxFixture, dockerfile: String) throws -> URL {
        let context = fixture.directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data(dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        return context
    }

    static func twoPlatformBusybox() throws -> BusyboxFixture {
        let fixture = try BusyboxFixture(name: "busybox:amd64")
        let arm64Rootfs = fixture.directory.appending("rootfs-arm64.tar")
        try Interop.makeBusyboxRootfs(at: arm64Rootfs, architecture: "arm64")
        try fixture.client.importImage(
            rootfs: arm64Rootfs, as: "busybox:arm64", changes: ["CMD [\"sh\"]"], platform: Platform(os: "linux", architecture: "arm64"))
        let store = fixture.client.store
        var manifests: [Descriptor] = []
        for architecture in ["amd64", "arm64"] {
            var entry = try #require(try store.image(named: "docker.io/library/busybox:\(architecture)")).target
            entry.platform = Platform(os: "linux", architecture: architecture)
            manifests.append(entry)
        }
        try store.name(try store.writeIndex(manifests: manifests), as: ["docker.io/library/busybox:latest"], created: Date())
        return fixture
    }

    /// The index a name points at in the store, and each platform's config.
    static func index(_ name: String, in store: Store) throws -> (ImageIndex, [String: ImageConfig]) {
        let target = try #require(try store.image(named: name)).target
        #expect(target.mediaType == .ociIndex)
        let index = try JSONDecoder().decode(ImageIndex.self, from: try store.content.data(try target.digest))
        var configs: [String: ImageConfig] = [:]
        for entry in index.manifests {
            let manifest = try JSONDecoder().decode(ImageManifest.self, from: try store.content.data(try entry.digest))
            let config = try JSONDecoder().decode(ImageConfig.self, from: try store.content.data(try manifest.config.digest))
            configs[entry.platform?.architecture ?? "none"] = config
        }
        return (index, configs)
    }

    static let dockerfile = """
        FROM --platform=$BUILDPLATFORM busybox AS builder
        RUN uname -m > /built-on && cat /proc/sys/kernel/random/uuid > /stamp
        FROM busybox
        ARG TARGETPLATFORM
        ARG TARGETOS
        ARG TARGETARCH
        ARG TARGETVARIANT
        ARG BUILDPLATFORM
        COPY --from=builder /built-on /stamp /
        RUN uname -m > /arch && echo "$TARGETPLATFORM $TARGETOS $TARGETARCH [$TARGETVARIANT] $BUILDPLATFORM" > /args
        """

    @Test(.timeLimit(.minutes(10)))
    func twoPlatformBuildMakesAnIndexWhoseImagesRanOnTheirArchitectures() throws {
        let emulation = try Arm64Emulation()
        defer { emulation.restore() }
        let fixture = try Self.twoPlatformBusybox()
        let store = fixture.directory.appending("store")
        let context = try Self.context(in: fixture, dockerfile: Self.dockerfile)
        let files = fixture.directory.appending("files")
        let layout = fixture.directory.appending("layout.tar")

        let built = try Interop.hoist(
            ["build", "--progress", "plain", "--pull-policy", "never", "--platform", "linux/amd64,linux/arm64", "-t", "multi:1",
             "--output", "type=oci,dest=\(layout.path)", "--output", "type=local,dest=\(files.path)", context.path],
            root: store)
        #expect(built.status == 0, "\(built.errorText)")
        // Steps are named with their stage's platform, as BuildKit names them.
        #expect(built.errorText.contains("[linux/arm64 stage-1 ") && built.errorText.contains("[linux/amd64 builder "), "\(built.errorText)")

        // The index in the store: both manifests, each config for its platform.
        let (index, configs) = try Self.index("docker.io/library/multi:1", in: fixture.client.store)
        #expect(index.manifests.compactMap(\.platform).map(\.description).sorted() == ["linux/amd64", "linux/arm64"])
        #expect(configs["amd64"]?.architecture == "amd64" && configs["amd64"]?.os == "linux")
        #expect(configs["arm64"]?.architecture == "arm64" && configs["arm64"]?.os == "linux")

        // Each platform's RUN ran on its architecture, with BuildKit's platform arguments; the
        // build platform's stage ran once, on the host, for both.
        func read(_ platform: String, _ file: String) throws -> String {
            try String(contentsOf: files.appendingPathComponent("\(platform)/\(file)"), encoding: .utf8)
        }
        #expect(try read("linux_amd64", "arch") == "x86_64\n")
        #expect(try read("linux_arm64", "arch") == "aarch64\n")
        #expect(try read("linux_amd64", "args") == "linux/amd64 linux amd64 [] linux/amd64\n")
        #expect(try read("linux_arm64", "args") == "linux/arm64 linux arm64 [] linux/amd64\n")
        #expect(try read("linux_amd64", "built-on") == "x86_64\n" && read("linux_arm64", "built-on") == "x86_64\n")
        #expect(try read("linux_amd64", "stamp") == read("linux_arm64", "stamp"), "the builder stage ran once")

        // An independent reader takes the OCI layout's index.
        if Interop.available("skopeo") {
            let directory = fixture.directory.appending("layout")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try ExternalCommand.checked(["tar", "-xf", layout.path, "-C", directory.path])
            let raw = try ExternalCommand.run(["skopeo", "inspect", "--raw", "oci:\(directory.path):1"])
            #expect(raw.status == 0, "\(raw.errorText)")
            let read = try JSONDecoder().decode(ImageIndex.self, from: raw.standardOutput)
            #expect(read.manifests.compactMap(\.platform?.architecture).sorted() == ["amd64", "arm64"])
        }

        // A rebuild runs nothing.
        let again = try Interop.hoist(
            ["build", "--progress", "plain", "--pull-policy", "never", "--platform", "linux/amd64,linux/arm64", "-t", "multi:2", context.path],
            root: store)
        #expect(again.status == 0, "\(again.errorText)")
        #expect(!again.errorText.contains("RUN uname") || again.errorText.contains("CACHED"), "\(again.errorText)")
        let (rebuilt, _) = try Self.index("docker.io/library/multi:2", in: fixture.client.store)
        #expect(rebuilt == index, "a cached rebuild makes the same index")
    }

    @Test(.timeLimit(.minutes(5)), .enabled(if: Interop.available("docker-registry") && Interop.available("skopeo")))
    func aTwoPlatformBuildIsPushedAsAnIndexAndEachPlatformPullsItsOwn() async throws {
        let fixture = try Self.twoPlatformBusybox()
        let store = fixture.directory.appending("store")
        let context = try Self.context(in: fixture, dockerfile: "FROM busybox\nARG TARGETARCH\nCOPY note /note-$TARGETARCH\n")
        try Data("pushed\n".utf8).write(to: context.appendingPathComponent("note"))
        let registry = try TestRegistry(in: fixture.directory.appending("registry"))
        try await registry.explainingFailures {
            let name = "\(registry.host)/multi/app:1"
            let built = try Interop.hoist(
                ["build", "--progress", "plain", "--pull-policy", "never", "--platform", "linux/amd64,linux/arm64", "--push", "-t", name,
                 context.path], root: store)
            #expect(built.status == 0, "\(built.errorText)")
            let raw = try ExternalCommand.checked(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(name)"])
            let index = try JSONDecoder().decode(ImageIndex.self, from: raw.standardOutput)
            #expect(index.manifests.compactMap(\.platform).map(\.description).sorted() == ["linux/amd64", "linux/arm64"])
            // A pull for arm64 into an empty store gets the arm64 image.
            let reader = fixture.directory.appending("reader")
            let pulled = try Interop.hoist(["pull", "--platform", "linux/arm64", name], root: reader)
            #expect(pulled.status == 0, "\(pulled.errorText)")
            let files = fixture.directory.appending("arm64-files")
            let inspected = try Interop.hoist(["inspect", "--format", "{{.Architecture}}", name], root: reader)
            #expect(inspected.text == "arm64\n", "\(inspected.errorText)")
            let copied = try Interop.hoist(
                ["build", "-q", "--pull-policy", "never", "--platform", "linux/arm64", "--output", "type=local,dest=\(files.path)", "-"],
                root: reader, input: Data("FROM \(name)\n".utf8))
            #expect(copied.status == 0, "\(copied.errorText)")
            #expect(FileManager.default.contents(atPath: files.appendingPathComponent("note-arm64").path) == Data("pushed\n".utf8))

            // `pull --all-platforms` keeps the whole index: the name is the pushed index, with
            // every platform's image in the store.
            let whole = fixture.directory.appending("whole")
            let all = try Interop.hoist(["pull", "--all-platforms", name], root: whole)
            #expect(all.status == 0, "\(all.errorText)")
            #expect(all.text.contains("Digest: sha256:\(Digest(of: raw.standardOutput).encoded)"), "\(all.text)")
            let (kept, configs) = try Self.index(Reference(parsing: name).description, in: try Client(root: StoreRoot(whole)).store)
            #expect(kept == index)
            #expect(configs["amd64"]?.architecture == "amd64" && configs["arm64"]?.architecture == "arm64")
            // Pushed again from there, the index goes whole, byte for byte.
            let copy = "\(registry.host)/multi/copy:1"
            try Interop.hoist(["tag", name, copy], root: whole).checkedStatus()
            try Interop.hoist(["push", copy], root: whole).checkedStatus()
            let republished = try ExternalCommand.checked(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(copy)"])
            #expect(republished.standardOutput == raw.standardOutput)
            let both = try Interop.hoist(["pull", "--all-platforms", "--platform", "linux/arm64", name], root: whole)
            #expect(both.status != 0 && both.errorText.contains("--all-platforms and --platform cannot be used together"), "\(both.errorText)")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func anArm64StepIsRefusedBeforeItRunsWhenNoEmulatorIsRegistered() throws {
        let emulation = try Arm64Emulation()
        defer { emulation.restore() }
        let fixture = try Self.twoPlatformBusybox()
        let store = fixture.directory.appending("store")
        let context = try Self.context(in: fixture, dockerfile: "FROM busybox\nRUN uname -m > /arch\n")

        emulation.unregister()
        let info = try Interop.hoist(["info"], root: store)
        #expect(info.text.contains("linux/arm64: cannot run"), "\(info.text)")
        let notRun = try Interop.hoist(["run", "--rm", "--pull", "never", "--network", "none", "--platform", "linux/arm64", "busybox", "uname", "-m"], root: store)
        #expect(notRun.status != 0 && notRun.errorText.contains("cannot run linux/arm64 programs"), "\(notRun.errorText)")
        let refused = try Interop.hoist(
            ["build", "--progress", "plain", "--pull-policy", "never", "--platform", "linux/arm64", "-t", "refused:1", context.path], root: store)
        #expect(refused.status != 0)
        #expect(refused.errorText.contains("cannot run linux/arm64 programs") && refused.errorText.contains("qemu-user-static"), "\(refused.errorText)")
        #expect(refused.errorText.contains("--builder-node linux/arm64="), "the other way out is named: \(refused.errorText)")
        #expect(try fixture.client.store.image(named: "docker.io/library/refused:1") == nil, "no image is made")

        // Registered again, the same build runs the step on arm64.
        try emulation.register()
        let emulated = try Interop.hoist(["info"], root: store)
        #expect(emulated.text.contains("linux/arm64: emulated (binfmt_misc qemu-aarch64"), "\(emulated.text)")
        let built = try Interop.hoist(
            ["build", "--progress", "plain", "--pull-policy", "never", "--platform", "linux/arm64", "-t", "refused:1", context.path], root: store)
        #expect(built.status == 0, "\(built.errorText)")
        let image = try fixture.client.inspect("refused:1")
        #expect(image.architecture == "arm64")

        // `hoist import --platform` makes a foreign image, and `hoist run` runs it emulated.
        let rootfs = fixture.directory.appending("arm64.tar")
        try Interop.makeBusyboxRootfs(at: rootfs, architecture: "arm64")
        try Interop.hoist(["import", "--platform", "linux/arm64", rootfs.path, "imported-arm64:1"], root: store).checkedStatus()
        let architecture = try Interop.hoist(["inspect", "--format", "{{.Architecture}}", "imported-arm64:1"], root: store)
        #expect(architecture.text == "arm64\n", "\(architecture.errorText)")
        let run = try Interop.hoist(["run", "--rm", "--pull", "never", "--network", "none", "imported-arm64:1", "uname", "-m"], root: store)
        #expect(run.text == "aarch64\n", "\(run.errorText)")

        // `run --platform` picks that platform's image of a multi-platform name.
        for (platform, machine) in [("linux/arm64", "aarch64"), ("linux/amd64", "x86_64")] {
            let picked = try Interop.hoist(
                ["run", "--rm", "--pull", "never", "--network", "none", "--platform", platform, "busybox", "uname", "-m"], root: store)
            #expect(picked.text == "\(machine)\n", "\(platform): \(picked.errorText)")
        }
        let absent = try Interop.hoist(
            ["run", "--rm", "--pull", "never", "--network", "none", "--platform", "linux/s390x", "busybox", "true"], root: store)
        #expect(absent.status != 0 && absent.errorText.contains("s390x"), "\(absent.errorText)")
    }
}

/// What a build for several platforms cannot do is refused before anything is built.
struct MultiPlatformOptionTests {
    @Test(arguments: [
        ("--load", [String]()),
        ("type=tar", ["--output", "type=tar,dest=/nonexistent/out.tar"]),
        ("type=docker", ["--output", "type=docker,dest=/nonexistent/out.tar"]),
    ])
    func outputsOfOneImageAreRefused(what: String, flags: [String]) async throws {
        let directory = try TemporaryDirectory()
        try Data("FROM scratch\n".utf8).write(to: directory.appending("Dockerfile"))
        let arguments = ["build", "-q", "--platform", "linux/amd64,linux/arm64"] + (what == "--load" ? ["--load"] : flags) + [directory.url.path]
        let refused = try Interop.hoist(arguments, root: directory.appending("store"))
        #expect(refused.status != 0)
        #expect(refused.errorText.contains(what) && refused.errorText.contains("type=oci"), "\(refused.errorText)")
    }

    @Test func aBuildForOtherPlatformsWithoutRunStepsNeedsNoEmulatorAndListsAsAnImage() async throws {
        let directory = try TemporaryDirectory()
        try Data("FROM scratch\nARG TARGETARCH\nCOPY f /f-$TARGETARCH\n".utf8).write(to: directory.appending("Dockerfile"))
        try Data("copied\n".utf8).write(to: directory.appending("f"))
        let store = directory.appending("store")
        let built = try Interop.hoist(["build", "-q", "--platform", "linux/arm64,linux/s390x", "-t", "foreign:1", directory.url.path], root: store)
        #expect(built.status == 0, "\(built.errorText)")
        // No manifest for this host: the image is still listed and inspected, as its first platform's.
        let images = try Interop.hoist(["images", "--format", "{{.Repository}}:{{.Tag}}"], root: store)
        #expect(images.status == 0 && images.text.contains("foreign:1"), "\(images.errorText)")
        let inspected = try Interop.hoist(["inspect", "--format", "{{.Architecture}}", "foreign:1"], root: store)
        #expect(inspected.text == "arm64\n", "\(inspected.errorText)")
        // `--platform` shows another platform's image of the index, or says which it has.
        let picked = try Interop.hoist(["inspect", "--platform", "linux/s390x", "--format", "{{.Architecture}} {{.Os}}", "foreign:1"], root: store)
        #expect(picked.text == "s390x linux\n", "\(picked.errorText)")
        let absent = try Interop.hoist(["inspect", "--platform", "linux/riscv64", "foreign:1"], root: store)
        #expect(absent.status != 0 && absent.errorText.contains("linux/arm64, linux/s390x"), "\(absent.errorText)")
    }

    @Test func aPlatformNamedTwiceOrMalformedIsRefused() async throws {
        let directory = try TemporaryDirectory()
        try Data("FROM scratch\n".utf8).write(to: directory.appending("Dockerfile"))
        let twice = try Interop.hoist(
            ["build", "-q", "--platform", "linux/arm64,linux/arm64/v8", directory.url.path], root: directory.appending("store"))
        #expect(twice.status != 0 && twice.errorText.contains("--platform names linux/arm64 twice"), "\(twice.errorText)")
        let malformed = try Interop.hoist(["build", "-q", "--platform", "linux/", directory.url.path], root: directory.appending("store"))
        #expect(malformed.status != 0 && malformed.errorText.contains("invalid platform"), "\(malformed.errorText)")
    }
}
