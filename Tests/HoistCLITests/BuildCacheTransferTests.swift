import Foundation
import Hoist
import HoistOCI
import HoistTestSupport
import Testing

/// Issue 18: a build cache that leaves the machine. One store builds a two-stage Dockerfile
/// and writes its cache to a directory (`--cache-to type=local`); other stores, holding only
/// the base image, build the same context with `--cache-from` that directory, as a fresh CI
/// runner would, each with the `hoist` binary and runc on real files.
@Suite(
    "build cache export and import", .serialized, .timeLimit(.minutes(10)),
    .enabled(if: Interop.isRoot && (Interop.available("runc") || Interop.available("crun"))))
struct BuildCacheTransferTests {
    let directory: TemporaryDirectory
    /// The base image, saved from the exporter's store.
    let base: URL
    let exporter: URL
    let context: URL

    static let dockerfile = """
        FROM busybox AS builder
        RUN echo compiled > /artifact && dd if=/dev/zero of=/scratch bs=1024 count=64 2>/dev/null
        FROM busybox
        COPY --from=builder /artifact /artifact
        RUN cat /artifact /artifact > /twice
        """

    init() throws {
        directory = try TemporaryDirectory()
        let rootfs = directory.appending("rootfs.tar")
        try Interop.makeBusyboxRootfs(at: rootfs)
        exporter = directory.appending("exporter")
        try Interop.hoist(["import", "--change", "CMD [\"sh\"]", rootfs.path, "busybox"], root: exporter).checkedStatus()
        base = directory.appending("busybox.tar")
        try Interop.hoist(["save", "-o", base.path, "busybox"], root: exporter).checkedStatus()
        context = directory.appending("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data(Self.dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))
    }

    /// A store holding only the exporter's `busybox`, as a runner that starts empty pulls the
    /// same base image (an image imported again would differ in its creation time, and so in
    /// every step's key).
    private func store(_ name: String) throws -> URL {
        let store = directory.appending(name)
        try Interop.hoist(["load", "-q", "-i", base.path], root: store).checkedStatus()
        return store
    }

    private func hoist(_ arguments: [String], root: URL) throws -> ExternalCommand.Output {
        try Interop.hoist(arguments, root: root)
    }

    /// Builds the context in `store` with plain progress; fails the test when the build fails.
    private func build(_ flags: [String], in store: URL) throws -> ExternalCommand.Output {
        let output = try hoist(["build", "--progress", "plain", "-t", "app"] + flags + [context.path], root: store)
        #expect(output.status == 0, "\(output.errorText)")
        return output
    }

    /// The steps (`[stage n/m] …`, sources left out) plain progress shows, and whether each was
    /// served from the cache.
    private func steps(_ output: ExternalCommand.Output) -> [String: Bool] {
        var names: [String: String] = [:]
        var steps: [String: Bool] = [:]
        for line in output.errorText.split(separator: "\n") where line.hasPrefix("#") {
            let number = String(line.prefix { $0 != " " })
            let rest = String(line.drop { $0 != " " }.dropFirst())
            if let name = names[number] {
                if rest == "CACHED" { steps[name] = true }
            } else if rest.hasPrefix("["), !rest.hasPrefix("[internal]"), !rest.contains("] FROM ") {
                names[number] = rest
                steps[rest] = steps[rest] ?? false
            }
        }
        return steps
    }

    private func imageID(_ name: String = "app", in store: URL) throws -> String {
        let id = try hoist(["inspect", "--format", "{{.Id}}", name], root: store).text
        #expect(id.hasPrefix("sha256:"), "no image \(name)")
        return id
    }

    /// The layers (diff IDs, which are the stored blobs' digests) of `image`.
    private func layers(_ image: String, in store: URL) throws -> [String] {
        let text = try hoist(["inspect", "--format", "{{range .RootFS.Layers}}{{.}} {{end}}", image], root: store).text
        return text.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    private func hasBlob(_ digest: String, in store: URL) -> Bool {
        FileManager.default.fileExists(atPath: store.appendingPathComponent("blobs/sha256/\(digest.dropFirst("sha256:".count))").path)
    }

    @Test func anEmptyStoreRebuildsFromAnExportedCacheFetchingOnlyTheImagesLayers() throws {
        let cache = directory.appending("cache-max").path
        let exported = try build(["--cache-to", "type=local,dest=\(cache),mode=max"], in: exporter)
        #expect(exported.errorText.contains("exporting cache to \(cache)"), "\(exported.errorText)")
        // The cache is an OCI layout, its manifest an artifact, as skopeo reads it.
        let index = try String(contentsOfFile: cache + "/index.json", encoding: .utf8)
        #expect(index.contains("application/vnd.hoist.build-cache.v1"), "\(index)")
        if Interop.available("skopeo") {
            let manifest = try ExternalCommand.checked(["skopeo", "inspect", "--raw", "oci:\(cache):latest"]).text
            #expect(manifest.contains("\"artifactType\":\"application/vnd.hoist.build-cache.v1\""), "\(manifest)")
        }
        let builder = try hoist(["build", "-q", "--target", "builder", "-t", "builder", context.path], root: exporter)
        #expect(builder.status == 0, "\(builder.errorText)")
        let builderLayer = try #require(try layers("builder", in: exporter).last)

        let fresh = try store("fresh")
        let rebuilt = try build(["--cache-from", "type=local,src=\(cache)"], in: fresh)
        #expect(rebuilt.errorText.contains("importing cache manifest from \(cache)"), "\(rebuilt.errorText)")
        let served = steps(rebuilt)
        #expect(served.count == 3 && served.values.allSatisfy { $0 }, "every step should be CACHED: \(rebuilt.errorText)")
        #expect(try imageID(in: fresh) == imageID(in: exporter))
        // The image's layers came; the builder's own layer, which no step needed, did not.
        for layer in try layers("app", in: fresh) { #expect(hasBlob(layer, in: fresh), "layer \(layer) missing") }
        #expect(!hasBlob(builderLayer, in: fresh), "the builder stage's layer was fetched though nothing used it")
        let run = try hoist(["run", "--rm", "--pull", "never", "app", "cat", "/twice"], root: fresh)
        #expect(run.text == "compiled\ncompiled\n", "\(run.errorText)")
        // Recorded in the store now: the image's steps hit there without the import (the
        // builder's, whose layer never came, not needed), and with it every step does.
        let local = steps(try build([], in: fresh))
        #expect(local.count == 2 && local.values.allSatisfy { $0 }, "\(local)")
        let again = steps(try build(["--cache-from", "type=local,src=\(cache)"], in: fresh))
        #expect(again.count == 3 && again.values.allSatisfy { $0 }, "\(again)")
        #expect(!hasBlob(builderLayer, in: fresh))
    }

    @Test func modeMinKeepsTheImagesStepsAndModeMaxEveryStages() throws {
        let minimal = directory.appending("cache-min").path
        let maximal = directory.appending("cache-max").path
        _ = try build(["--cache-to", "type=local,dest=\(minimal)", "--cache-to", "type=local,dest=\(maximal),mode=max"], in: exporter)

        // mode=min holds the image's steps only; their hits leave the builder stage unrun.
        let fromMin = steps(try build(["--cache-from", "type=local,src=\(minimal)"], in: try store("from-min")))
        #expect(fromMin.count == 2 && fromMin.values.allSatisfy { $0 }, "\(fromMin)")
        #expect(!fromMin.keys.contains { $0.hasPrefix("[builder") }, "\(fromMin)")
        // A change in the image's last step misses: the builder runs, its copy still hits.
        try Data((Self.dockerfile + " && echo changed").utf8).write(to: context.appendingPathComponent("Dockerfile"))
        let changed = steps(try build(["--cache-from", "type=local,src=\(minimal)"], in: try store("from-min-changed")))
        #expect(changed.filter { $0.key.hasPrefix("[builder") }.values.allSatisfy { !$0 }, "mode=min holds no builder step: \(changed)")
        #expect(changed.filter { $0.key.contains("COPY") }.values.allSatisfy { $0 }, "\(changed)")
        try Data(Self.dockerfile.utf8).write(to: context.appendingPathComponent("Dockerfile"))

        let fromMax = steps(try build(["--cache-from", "type=local,src=\(maximal)"], in: try store("from-max")))
        #expect(fromMax.count == 3 && fromMax.values.allSatisfy { $0 }, "mode=max holds every stage's steps: \(fromMax)")
    }

    @Test func aMissingOrMalformedCacheWarnsAndBuildsAndAGoodOneBesideServes() throws {
        let missing = directory.appending("nowhere").path
        let malformed = directory.appending("malformed")
        let cache = directory.appending("cache-beside").path
        _ = try build(["--cache-to", "type=local,dest=\(cache)"], in: exporter)
        try FileManager.default.createDirectory(at: malformed, withIntermediateDirectories: true)
        try Data("not json".utf8).write(to: malformed.appendingPathComponent("index.json"))
        let output = try build(
            ["--cache-from", "type=local,src=\(missing)", "--cache-from", "type=local,src=\(malformed.path)"], in: try store("warned"))
        #expect(output.errorText.contains("cache import \(missing): no build cache there"), "\(output.errorText)")
        #expect(output.errorText.contains("cache import \(malformed.path) cannot be read"), "\(output.errorText)")
        #expect(steps(output).values.allSatisfy { !$0 })
        // Beside a good source, the bad ones cost nothing: its records serve.
        let beside = try build(
            ["--cache-from", "type=local,src=\(missing)", "--cache-from", "type=local,src=\(malformed.path)",
             "--cache-from", "type=local,src=\(cache)"], in: try store("beside"))
        #expect(steps(beside).count == 2 && steps(beside).values.allSatisfy { $0 }, "\(beside.errorText)")
    }

    @Test func aCorruptCacheBlobIsDetectedByItsDigestAndTheStepRunsAgain() throws {
        let cache = directory.appending("cache-corrupt").path
        _ = try build(["--cache-to", "type=local,dest=\(cache),mode=max"], in: exporter)
        let top = try #require(try layers("app", in: exporter).last)
        let blob = cache + "/blobs/sha256/" + top.dropFirst("sha256:".count)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
        bytes[bytes.count / 2] ^= 0xFF
        try FileManager.default.removeItem(atPath: blob)
        try bytes.write(to: URL(fileURLWithPath: blob))

        let fresh = try store("corrupt")
        let output = try build(["--cache-from", "type=local,src=\(cache)"], in: fresh)
        #expect(output.errorText.contains("cannot be fetched"), "\(output.errorText)")
        #expect(output.errorText.contains("does not match") || output.errorText.contains("hashes to"), "\(output.errorText)")
        let run = try hoist(["run", "--rm", "--pull", "never", "app", "cat", "/twice"], root: fresh)
        #expect(run.text == "compiled\ncompiled\n", "\(run.errorText)")
    }

    @Test(.enabled(if: Interop.available("docker-registry")))
    func aRegistryCacheServesAFreshStoreAndAMissingReferenceWarns() async throws {
        let registry = try TestRegistry(in: directory.appending("registry"))
        try await registry.explainingFailures {
            let cache = "\(registry.host)/ci/app:buildcache"
            let image = "\(registry.host)/ci/app:1"
            let pushed = try hoist(
                ["build", "--progress", "plain", "--push", "-t", image, "--cache-to", "type=registry,ref=\(cache),mode=max", context.path],
                root: exporter)
            #expect(pushed.status == 0, "\(pushed.errorText)")
            // The cache's layers are the image's blobs: in the registry once, under both.
            let manifest = try ExternalCommand.checked(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(cache)"]).text
            #expect(manifest.contains("application/vnd.hoist.build-cache.v1"), "\(manifest)")
            for layer in try layers(image, in: exporter) { #expect(manifest.contains(layer), "\(layer) is not in the cache: \(manifest)") }

            let fresh = try store("from-registry")
            let rebuilt = try build(["--cache-from", "type=registry,ref=\(cache)"], in: fresh)
            let served = steps(rebuilt)
            #expect(served.count == 3 && served.values.allSatisfy { $0 }, "every step should be CACHED: \(rebuilt.errorText)")
            #expect(try imageID(in: fresh) == imageID(image, in: exporter))
            let builder = try hoist(["build", "-q", "--target", "builder", "-t", "builder", context.path], root: exporter)
            let builderLayer = try #require(builder.status == 0 ? try layers("builder", in: exporter).last : nil)
            #expect(!hasBlob(builderLayer, in: fresh), "the builder stage's layer was downloaded though nothing used it")

            let missing = "\(registry.host)/ci/none:missing"
            let warned = try build(["--cache-from", "type=registry,ref=\(missing)"], in: try store("registry-missing"))
            #expect(warned.errorText.contains("cache import \(missing): no build cache there"), "\(warned.errorText)")
            // A registry that does not answer (a port nothing listens on) is a warning too.
            let unreachable = "127.0.0.1:\(try FreePort.next())/ci/app:buildcache"
            let alone = try build(["--cache-from", "type=registry,ref=\(unreachable)"], in: try store("registry-unreachable"))
            #expect(alone.errorText.contains("cache import \(unreachable) cannot be read"), "\(alone.errorText)")
        }
    }

    @Test(.enabled(if: Interop.available("docker-registry") && Interop.available("skopeo")))
    func anImagePushedWithAnInlineCacheServesAFreshStoreByTagAndByDigest() async throws {
        let registry = try TestRegistry(in: directory.appending("registry-inline"))
        try await registry.explainingFailures {
            let image = "\(registry.host)/ci/inline:1"
            let pushed = try hoist(
                ["build", "--progress", "plain", "--push", "-t", image, "--cache-to", "type=inline", context.path], root: exporter)
            #expect(pushed.status == 0, "\(pushed.errorText)")
            let config = try ExternalCommand.checked(["skopeo", "inspect", "--config", "--raw", "--tls-verify=false", "docker://\(image)"]).text
            #expect(config.contains("\"moby.buildkit.cache.v0\""), "\(config)")

            // An empty store (the base image only): every step of the image hits, the image's
            // layers come, the builder stage's (which the image only copies from) does not.
            let fresh = try store("from-inline")
            let rebuilt = try build(["--cache-from", "type=registry,ref=\(image)", "--cache-to", "type=inline"], in: fresh)
            #expect(rebuilt.errorText.contains("importing cache manifest from \(image)"), "\(rebuilt.errorText)")
            let served = steps(rebuilt)
            #expect(served.count == 2 && served.values.allSatisfy { $0 }, "every step should be CACHED: \(rebuilt.errorText)")
            for layer in try layers("app", in: fresh) { #expect(hasBlob(layer, in: fresh), "layer \(layer) missing") }
            let builder = try hoist(["build", "-q", "--target", "builder", "-t", "builder", context.path], root: exporter)
            let builderLayer = try #require(builder.status == 0 ? try layers("builder", in: exporter).last : nil)
            #expect(!hasBlob(builderLayer, in: fresh), "the builder stage's layer was downloaded though nothing used it")
            // Built from its inline cache with an inline cache, the image is the same, cache and
            // all, so the build after it hits too (where BuildKit's misses: moby/buildkit#1981).
            #expect(try imageID(in: fresh) == imageID(image, in: exporter))

            let digest = try ExternalCommand.checked(
                ["skopeo", "inspect", "--format", "{{.Digest}}", "--tls-verify=false", "docker://\(image)"]).text
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let byDigest = "\(registry.host)/ci/inline@\(digest)"
            let pinned = steps(try build(["--cache-from", "type=registry,ref=\(byDigest)"], in: try store("from-inline-digest")))
            #expect(pinned.count == 2 && pinned.values.allSatisfy { $0 }, "\(pinned)")
        }
    }

    /// A toy compiler cache: the step prints what the cache mount holds when it starts (each
    /// file's checksum), then "compiles" only what is missing.
    static let compilerDockerfile = """
        FROM busybox
        ARG REVISION
        RUN --mount=type=cache,id=toycc,target=/root/.cache/toycc cd /root/.cache/toycc && \\
            echo "revision $REVISION found:" && find . -type f | sort | xargs -r sha256sum && \\
            if [ -f obj/main.o ]; then echo reused; else mkdir -p obj/deep && \\
            dd if=/dev/urandom of=obj/main.o bs=1024 count=48 2>/dev/null && echo "$REVISION" > obj/deep/log && echo compiled; fi
        """

    @Test(.enabled(if: Interop.available("docker-registry")))
    func aCacheMountsFilesTravelThroughARegistryCacheByteIdentical() async throws {
        let registry = try TestRegistry(in: directory.appending("registry-mounts"))
        try await registry.explainingFailures {
            let compiler = directory.appending("compiler")
            try FileManager.default.createDirectory(at: compiler, withIntermediateDirectories: true)
            try Data(Self.compilerDockerfile.utf8).write(to: compiler.appendingPathComponent("Dockerfile"))
            let cache = "\(registry.host)/ci/compiler:buildcache"
            let first = try hoist(
                ["build", "--progress", "plain", "-t", "compiler", "--build-arg", "REVISION=1",
                 "--cache-to", "type=registry,ref=\(cache),mode=max,mounts=true,compression=zstd", compiler.path], root: exporter)
            #expect(first.status == 0 && first.errorText.contains("compiled"), "\(first.errorText)")
            #expect(first.errorText.contains("exporting cache mount toycc"), "\(first.errorText)")
            // The import and export steps say what they moved, in bytes.
            #expect(first.errorText.contains(", cache mounts: 1"), "\(first.errorText)")
            // The mount's layer is compressed as asked; the image's layers stay the image's blobs.
            if Interop.available("skopeo") {
                let manifest = try ExternalCommand.checked(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(cache)"]).text
                #expect(manifest.contains("application/vnd.oci.image.layer.v1.tar+zstd"), "\(manifest)")
            }
            // What the exporter's mount holds, checksummed as the step does.
            let mount = exporter.appendingPathComponent("cache-mounts/\(Digest(of: Data("toycc".utf8)).encoded)")
            let expected = try ExternalCommand.checked(["sh", "-c", "cd \"$0\" && find . -type f | sort | xargs -r sha256sum", mount.path]).text
            #expect(expected.contains("./obj/main.o") && expected.contains("./obj/deep/log"), "\(expected)")

            // A fresh store, a new revision (the step's key changes, so it runs): the mount is
            // there before it, file for file, and nothing is compiled again.
            let fresh = try store("mounts-fresh")
            let second = try hoist(
                ["build", "--progress", "plain", "-t", "compiler", "--build-arg", "REVISION=2",
                 "--cache-from", "type=registry,ref=\(cache)", compiler.path], root: fresh)
            #expect(second.status == 0, "\(second.errorText)")
            #expect(second.errorText.contains("importing cache mount toycc from \(cache)"), "\(second.errorText)")
            #expect(second.errorText.contains("records: 1 ("), "\(second.errorText)")
            #expect(second.errorText.contains("revision 2 found:") && second.errorText.contains("reused"), "\(second.errorText)")
            for line in expected.split(separator: "\n") {
                #expect(second.errorText.contains(line), "the step did not find \(line): \(second.errorText)")
            }
            // A store that has the mount already keeps its own files: nothing is restored.
            let again = try hoist(
                ["build", "--progress", "plain", "-t", "compiler", "--build-arg", "REVISION=3",
                 "--cache-from", "type=registry,ref=\(cache)", compiler.path], root: fresh)
            #expect(again.status == 0 && !again.errorText.contains("importing cache mount"), "\(again.errorText)")
        }
    }

    @Test func cacheSpecificationsAreParsedAsBuildKitWritesThem() throws {
        #expect(try CacheExport(parsing: "type=local,dest=d,mode=max") == CacheExport(location: .local(directory: "d"), mode: .max))
        #expect(try CacheExport(parsing: "type=local,dest=d").mode == .min)
        #expect(try CacheImport(parsing: "type=local,src=s") == CacheImport(location: .local(directory: "s")))
        #expect(try CacheImport(parsing: "type=registry,ref=localhost:5000/app:cache").location
            == .registry(try Reference(parsing: "localhost:5000/app:cache")))
        for bad in ["type=local", "dest=d", "type=gha,dest=d", "type=local,dest=d,mode=all", "type=local,dest", "type=registry", "type=registry,ref=bad ref"] {
            #expect(throws: ClientError.self, "\(bad)") { try CacheExport(parsing: bad) }
        }
        #expect(throws: ClientError.self) { try CacheImport(parsing: "type=local,dest=d") }
        #expect(try CacheExport(parsing: "type=inline") == CacheExport(location: .inline, mode: .min))
        #expect(throws: ClientError.self) { try CacheExport(parsing: "type=inline,mode=max") }
        #expect(throws: ClientError.self) { try CacheImport(parsing: "type=inline") }
        #expect(try CacheExport(parsing: "type=local,dest=d,mode=max,mounts=true").includesMounts)
        #expect(try !CacheExport(parsing: "type=local,dest=d").includesMounts)
        #expect(try CacheExport(parsing: "type=local,dest=d,mounts=true,compression=zstd").compression == .zstd)
        #expect(try CacheExport(parsing: "type=local,dest=d,compression=gzip,compression-level=9").compression == .gzip(level: 9))
        #expect(try CacheExport(parsing: "type=local,dest=d").compression == .none)
        for bad in ["type=local,dest=d,mounts=yes", "type=inline,mounts=true", "type=local,dest=d,compression=lz4",
                    "type=local,dest=d,compression=gzip,compression-level=12", "type=local,dest=d,compression-level=3"] {
            #expect(throws: ClientError.self, "\(bad)") { try CacheExport(parsing: bad) }
        }
    }
}
