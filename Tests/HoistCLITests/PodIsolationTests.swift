import Foundation
import Hoist
import HoistStore
import HoistTestSupport
import Testing

/// Pod isolation (issue 16): `hoist build --isolation=pod` inside a container started as CI
/// pods are — `docker run --rm`, Docker's default capabilities (no `CAP_SYS_ADMIN`) and seccomp
/// profile, no user namespace — with the hoist binary, a store and the differential corpus
/// mounted. Every case must build there to the image the normal mode builds from the same
/// busybox (files, config, layer count); the refusals must leave the container untouched.
///
/// The debug `hoist` links Swift's runtime and system libraries dynamically: they are put beside
/// it (hard links) with the dynamic loader, and hoist is started through that loader, since the
/// build replaces the container's `/` and its libraries with the image's.
@Suite(
    "Pod isolation", .serialized,
    .enabled(if: Interop.isRoot && Interop.dockerAvailable && Interop.available("runc") && Interop.available("ldd")))
final class PodIsolationTests {
    let directory: TemporaryDirectory
    /// Mounted read-only at /hoist: hoist, its loader and libraries, and a static busybox to drive it.
    let bundle: URL
    /// The busybox root filesystem, for the container's image and the stores' base image.
    let rootfs: URL
    /// The container's image: Debian's busybox, as `docker import` makes it.
    let image = uniqueDockerName("pod").lowercased()
    /// The differential corpus, its cases' setup scripts run (mounted at /corpus).
    let corpus: URL

    init() throws {
        directory = try TemporaryDirectory()
        corpus = directory.appending("corpus")
        try DifferentialTests.prepareCorpus(at: corpus)
        bundle = directory.appending("bundle")
        try FileManager.default.createDirectory(at: bundle, withIntermediateDirectories: true)
        let libraries = try ExternalCommand.checked(["ldd", Interop.hoistExecutable]).text
            .split(separator: "\n").compactMap { line in
                line.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("/") }.map(String.init)
            }
        for path in libraries + [Interop.hoistExecutable, "/bin/busybox"] {
            let source = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            let destination = bundle.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
            if link(source, destination) != 0 { try FileManager.default.copyItem(atPath: source, toPath: destination) }
        }
        rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        try ExternalCommand.checked([Interop.docker, "import", "-c", "CMD [\"sh\"]", rootfs.path, image])
    }

    deinit {
        _ = try? ExternalCommand.run([Interop.docker, "rmi", "-f", image])
    }

    /// A store on the host with the busybox image, to mount in the container or build in.
    func store(_ name: String) throws -> (url: URL, client: Client) {
        let url = directory.appending(name)
        let client = try Client(root: StoreRoot(url))
        if (try? client.inspect("busybox")) == nil {
            try client.importImage(rootfs: rootfs, as: "busybox", changes: ["CMD [\"sh\"]"])
        }
        return (url, client)
    }

    /// Runs `script` with the bundle's busybox sh in a fresh container (`--network=none`, Docker's
    /// default capabilities and seccomp), where `hoist ARGS` runs the bundle's hoist on the
    /// store mounted at /store. `volumes` (host path, container path) are mounted read-only.
    func container(_ script: String, volumes: [(URL, String)] = [], store: URL? = nil, options: [String] = []) throws -> ExternalCommand.Output {
        var command = [Interop.docker, "run", "--rm", "--network=none", "-v", "\(bundle.path):/hoist:ro"] + options
        for (host, path) in volumes { command += ["-v", "\(host.path):\(path):ro"] }
        if let store { command += ["-v", "\(store.path):/store", "-e", "HOIST_ROOT=/store"] }
        let prelude = "hoist() { /hoist/ld-linux-x86-64.so.2 --library-path /hoist /hoist/hoist \"$@\"; }\n"
        return try ExternalCommand.run(command + [image, "/hoist/busybox", "sh", "-c", prelude + script])
    }

    /// `hoist build` arguments for a corpus case, as DifferentialTests builds it.
    func buildArguments(_ name: String, tag: String) throws -> [String] {
        let (arguments, target) = try DifferentialTests.buildOptions(name)
        return ["build", "--isolation=pod", "--progress=plain", "-t", tag]
            + arguments.sorted { $0.key < $1.key }.flatMap { ["--build-arg", "\($0.key)=\($0.value)"] }
            + (target.map { ["--target", $0] } ?? []) + ["/corpus/\(name)"]
    }

    @Test func theContainerHasNeitherSysAdminNorAnUnconfinedSeccomp() throws {
        let status = try container("grep -E '^(CapEff|Seccomp):' /proc/self/status")
        let fields = Dictionary(uniqueKeysWithValues: status.text.split(separator: "\n").map { line in
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            return (parts[0], parts.count > 1 ? parts[1] : "")
        })
        let effective = try #require(UInt64(fields["CapEff"] ?? "", radix: 16), "\(status.text)\(status.errorText)")
        #expect(effective & (1 << 21) == 0, "CAP_SYS_ADMIN is effective: \(status.text)")
        #expect(fields["Seccomp"] == "2", "no seccomp filter: \(status.text)")
    }

    /// Every corpus case built in pod isolation inside the container, compared with the normal
    /// mode's build of it on the host.
    /// Corpus cases whose result pod isolation cannot give, and why (documented in README's
    /// pod section as its limits).
    static let knownDifferences: [String: String] = [
        "cache-mount-owners": "a cache mount is a symbolic link to its directory (nothing can be mounted), so `stat` of the target shows the link, not the directory's owner and mode",
    ]

    @Test(arguments: DifferentialTests.cases.filter { knownDifferences[$0] == nil })
    func buildsEqualTheNormalMode(name: String) async throws {
        let pod = try store("pod-store-\(name)")
        let normal = try store("normal-store")
        let context = corpus.appendingPathComponent(name)
        let base = context.appendingPathComponent("base")
        var script = "set -e\n"
        if FileManager.default.fileExists(atPath: base.path) {
            script += "hoist build --isolation=pod --progress=plain -t \(DifferentialTests.baseName) /corpus/\(name)/base\n"
            _ = try await normal.client.build(BuildOptions(context: base, tags: [DifferentialTests.baseName]))
        }
        let tag = "case-\(name)"
        script += "hoist " + (try buildArguments(name, tag: tag)).map { "'\($0)'" }.joined(separator: " ") + "\n"
        let built = try container(script, volumes: [(corpus, "/corpus")], store: pod.url)
        let (arguments, target) = try DifferentialTests.buildOptions(name)
        let normalBuild = await Result {
            try await normal.client.build(BuildOptions(context: context, tags: [tag], buildArguments: arguments, target: target))
        }
        if name.hasPrefix("fail-") {
            #expect(built.status != 0, "pod isolation built \(name), which should fail")
            #expect(throws: (any Error).self) { try normalBuild.get() }
            return
        }
        #expect(built.status == 0, "pod isolation's build of \(name) failed:\n\(built.errorText.suffix(3000))")
        guard built.status == 0 else { return }
        let normalImage = try normalBuild.get()
        // The store the container wrote, read here.
        let reader = try Client(root: StoreRoot(pod.url))
        let podDetails = try reader.inspect(tag)
        let normalDetails = try normal.client.inspect(normalImage.id.description)
        #expect(DifferentialTests.fields(try #require(podDetails.config)) == DifferentialTests.fields(try #require(normalDetails.config)),
                "config differs for \(name)")
        #expect(podDetails.layers.count == normalDetails.layers.count, "layers: pod \(podDetails.layers.count), normal \(normalDetails.layers.count)")
        let podFiles = try DifferentialTests.hoistRootfs(reader, image: tag, into: directory.appending("pod-\(name)"))
        let normalFiles = try DifferentialTests.hoistRootfs(normal.client, image: normalImage.id.description, into: directory.appending("normal-\(name)"))
        let differences = normalFiles.differences(from: podFiles)
        #expect(differences.isEmpty, "files differ for \(name) (normal ≠ pod):\n\(differences.prefix(40).joined(separator: "\n"))")
    }

    /// Secrets, cache, bind and tmpfs mounts made without mounting, and what the layers keep of them.
    @Test func mountsWithoutMounting() throws {
        let pod = try store("pod-store-mounts")
        let context = directory.appending("mounts-context")
        try FileManager.default.createDirectory(at: context.appendingPathComponent("ctx"), withIntermediateDirectories: true)
        try "bound\n".write(to: context.appendingPathComponent("ctx/file"), atomically: true, encoding: .utf8)
        try "s3cret".write(to: directory.appending("token"), atomically: true, encoding: .utf8)
        try """
            FROM busybox
            RUN mkdir -p /var/cache/app && echo from-image > /var/cache/app/own
            RUN --mount=type=secret,id=token cat /run/secrets/token | wc -c > /secret-length
            RUN --mount=type=secret,id=token,env=TOKEN echo "$TOKEN" | wc -c > /secret-env-length
            RUN --mount=type=cache,target=/var/cache/app ls /var/cache/app > /cache-before && date +%s%N > /var/cache/app/run-$RANDOM
            RUN --mount=type=bind,source=ctx,target=/mnt/ctx,rw cat /mnt/ctx/file > /from-bind && echo scribble > /mnt/ctx/file
            RUN --mount=type=tmpfs,target=/scratch ls -a /scratch | wc -l > /tmpfs-count && touch /scratch/t
            """.write(to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let script = """
            set -e
            hoist build --isolation=pod --progress=plain --secret id=token,src=/secrets/token -t mounts /context
            hoist build --isolation=pod --progress=plain --no-cache --secret id=token,src=/secrets/token -t mounts-again /context
            """
        let built = try container(
            script, volumes: [(context, "/context"), (directory.appending("token"), "/secrets/token")], store: pod.url)
        #expect(built.status == 0, "\(built.errorText.suffix(3000))")
        guard built.status == 0 else { return }
        let reader = try Client(root: StoreRoot(pod.url))
        let files = try DifferentialTests.hoistRootfs(reader, image: "mounts-again", into: directory.appending("mounts-tree"))
        let root = directory.appending("mounts-tree").path
        func text(_ path: String) -> String { (try? String(contentsOfFile: root + path, encoding: .utf8)) ?? "(missing)" }
        #expect(text("/secret-length").trimmingCharacters(in: .whitespacesAndNewlines) == "6")
        #expect(text("/secret-env-length").trimmingCharacters(in: .whitespacesAndNewlines) == "7")
        // The secret's file and its directories are not in the image.
        #expect(files.entries["run/secrets/token"] == nil && files.entries["run"] == nil, "\(files.entries.keys.sorted())")
        // The cache kept the first build's file for the second, and hid the image's own directory.
        #expect(text("/cache-before").hasPrefix("run-"), "cache-before: \(text("/cache-before"))")
        #expect(text("/var/cache/app/own") == "from-image\n")
        #expect(!files.entries.keys.contains { $0.hasPrefix("var/cache/app/run-") })
        // A writable bind's writes are thrown away: neither the image nor the context has them.
        #expect(text("/from-bind") == "bound\n" && files.entries["mnt/ctx/file"] == nil && files.entries["mnt"] == nil)
        #expect(try String(contentsOf: context.appendingPathComponent("ctx/file"), encoding: .utf8) == "bound\n")
        #expect(text("/tmpfs-count").trimmingCharacters(in: .whitespacesAndNewlines) == "2")
        #expect(files.entries["scratch"] == nil)
    }

    /// The README's pod-isolation commands, run as written in a scratch directory with this
    /// build's `hoist` first on PATH; only the image differs (there is no registry to pull
    /// Debian's from here: the container is busybox's, and the store holds the base image).
    @Test func theReadmeCommandsBuildAnImage() throws {
        let readme = try String(contentsOf: Interop.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.range(of: "`--isolation=pod`.**"), "the README has no pod isolation section")
        let block = try #require(readme[section.upperBound...].range(of: "```sh\n"))
        let end = try #require(readme[block.upperBound...].range(of: "```"))
        let commands = readme[block.upperBound..<end.lowerBound].replacingOccurrences(of: "debian:bookworm-slim", with: image)
        #expect(commands.contains("--isolation=pod") && commands.contains("docker run --rm"), "\(commands)")

        let work = directory.appending("readme")
        let bin = work.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("hoist").path, withDestinationPath: Interop.hoistExecutable)
        try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("docker").path, withDestinationPath: Interop.docker)
        let app = work.appendingPathComponent("app")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        try "FROM busybox\nRUN echo built in a pod > /built && rm /bin/true\n"
            .write(to: app.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let store = try store("readme/store")

        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try ExternalCommand.run(["bash", "-euo", "pipefail", "-c", commands], environment: ["PATH": path], directory: work)
        #expect(result.status == 0, "\(result.text)\(result.errorText.suffix(3000))")
        #expect(result.text.contains("app"), "hoist images does not list app: \(result.text)")
        guard result.status == 0 else { return }
        let files = try DifferentialTests.hoistRootfs(store.client, image: "app", into: directory.appending("readme-tree"))
        #expect(try String(contentsOf: directory.appending("readme-tree/built"), encoding: .utf8) == "built in a pod\n")
        #expect(files.entries["bin/true"] == nil && files.entries["bin/sh"] != nil)
    }

    @Test func refusedWhereNoContainerIsDetected() throws {
        let pod = try store("pod-store-refused")
        // Docker's marks taken away: no /.dockerenv, and a cgroup namespace of its own.
        let result = try container(
            """
            rm -f /.dockerenv
            before=$(ls -la /bin | wc -l)
            hoist build --isolation=pod /corpus/run-basics; echo "exit $?"
            echo "bin $before $(ls -la /bin | wc -l)"; cat /etc/passwd | head -1
            """, volumes: [(corpus, "/corpus")], store: pod.url, options: ["--cgroupns=private"])
        #expect(result.errorText.contains("none is detected here"), "\(result.text)\(result.errorText)")
        #expect(result.text.contains("exit 1"), "\(result.text)")
        let counts = result.text.split(separator: "\n").first { $0.hasPrefix("bin ") }?.split(separator: " ")
        #expect(counts?.count == 3 && counts?[1] == counts?[2], "the container's /bin changed: \(result.text)")
        #expect(result.text.contains("root:x:0:0"))
    }

    @Test func refusedAsAnotherUserAndOnAnotherBackend() throws {
        let pod = try store("pod-store-refused-user")
        let asNobody = try container(
            "hoist build --isolation=pod /corpus/run-basics; echo \"exit $?\"", volumes: [(corpus, "/corpus")],
            store: pod.url, options: ["--user", "65534:65534"])
        #expect(asNobody.errorText.contains("needs root"), "\(asNobody.text)\(asNobody.errorText)")
        #expect(asNobody.text.contains("exit 1") || asNobody.text.contains("exit 64"), "\(asNobody.text)")
        let onDocker = try container(
            "hoist build --backend docker --isolation=pod /corpus/run-basics; echo \"exit $?\"; ls /bin/busybox",
            volumes: [(corpus, "/corpus")], store: pod.url)
        #expect(onDocker.errorText.contains("native backend"), "\(onDocker.text)\(onDocker.errorText)")
        #expect(onDocker.text.contains("/bin/busybox"))
    }

    @Test func aStepWithoutNetworkIsRefused() throws {
        let pod = try store("pod-store-network")
        let context = directory.appending("network-context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try "FROM busybox\nRUN --network=none true\n".write(to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let result = try container("hoist build --isolation=pod /context", volumes: [(context, "/context")], store: pod.url)
        #expect(result.status != 0 && result.errorText.contains("network namespace"), "\(result.errorText)")
    }
}
