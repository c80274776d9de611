import Foundation
import HoistArchive
import HoistBackend
import HoistBuild
import HoistDockerEngine
import HoistOCI
import HoistStore

/// The Docker daemon's images that hold the docker worker's layer chains: base images found in
/// the daemon, the image each step committed, and images made of Hoist's own layers (a `COPY`'s,
/// say), loaded into the daemon only when it has none of that chain yet.
actor DaemonImages {
    private let engine: EngineClient
    private let store: Store
    /// Daemon image IDs by the chain of layers they hold (the top layer's ChainID; "" for none).
    private var images: [String: String] = [:]
    private var loads: [String: Task<String, any Error>] = [:]
    /// Images this build made in the daemon (commits and loads), for ``removeMade(keeping:)``.
    private var made: [String] = []

    init(engine: EngineClient, store: Store) {
        self.engine = engine
        self.store = store
    }

    /// Notes that daemon image `id` holds `layers`.
    func record(_ layers: [LayerRef], image id: String) {
        images[Self.key(layers)] = id
    }

    /// Notes that this build created daemon image `id`.
    func noteMade(_ id: String) {
        made.append(id)
    }

    /// The ID of a daemon image holding exactly `layers`, loading one when none is known (its
    /// config naming `platform`, default this host's: a daemon on a machine of that platform
    /// then sees an image for it).
    func image(for layers: [LayerRef], platform: Platform? = nil) async throws -> String {
        let key = Self.key(layers)
        if let known = images[key] { return known }
        if let running = loads[key] { return try await running.value }
        let task = Task { try await self.load(layers, platform: platform ?? .host) }
        loads[key] = task
        defer { loads[key] = nil }
        let id = try await task.value
        images[key] = id
        return id
    }

    /// Removes the images this build made in the daemon, but `kept` (the build's own result):
    /// steps' images are the daemon's copy of Hoist's cache, not something to leave behind.
    /// One still in use stays.
    func removeMade(keeping kept: Set<String>) async {
        // Newest first: a committed image is the parent of the next step's, which must go first.
        for id in made.reversed() where !kept.contains(id) {
            try? await engine.removeImage(id)
        }
        made.removeAll()
    }

    /// Loads the image made of `layers` and the config `configBytes` into the daemon, named
    /// `tags` (familiar names, `app:1`), and returns its ID (the config's digest).
    @discardableResult
    func publish(config configBytes: Data, layers: [LayerRef], tags: [String]) async throws -> String {
        let id = Digest(of: configBytes).description
        try await send(configBytes, id: id, layers: layers, from: knownPrefix(of: layers), tags: tags)
        images[Self.key(layers)] = images[Self.key(layers)] ?? id
        return id
    }

    /// Loads an image of `layers` (a config naming just them) and returns its ID. The daemon
    /// may have it from an earlier build: its ID is the config's digest, so it is asked first.
    private func load(_ layers: [LayerRef], platform: Platform) async throws -> String {
        var config = ImageConfig(platform: platform)
        config.rootfs = RootFS(diffIDs: layers.map(\.diffID))
        let configBytes = try CanonicalJSON.encode(config)
        let id = Digest(of: configBytes).description
        if (try? await engine.inspectImage(id)) != nil {
            made.append(id)
            return id
        }
        try await send(configBytes, id: id, layers: layers, from: knownPrefix(of: layers), tags: [])
        made.append(id)
        return id
    }

    /// How many of `layers`, from the bottom, make a chain the daemon is known to hold: the
    /// daemon skips a layer it has, so those need not travel.
    private func knownPrefix(of layers: [LayerRef]) -> Int {
        (0...layers.count).last { images[Self.key(Array(layers.prefix($0)))] != nil } ?? 0
    }

    /// Writes a Docker archive of the config and the layers from index `first` on, and has the
    /// daemon load it; should the daemon have lost the layers below `first` since, everything
    /// goes again.
    private func send(_ configBytes: Data, id: String, layers: [LayerRef], from first: Int, tags: [String]) async throws {
        do {
            try await writeAndLoad(configBytes, id: id, layers: layers, from: first, tags: tags)
        } catch where first > 0 {
            try await writeAndLoad(configBytes, id: id, layers: layers, from: 0, tags: tags)
        }
    }

    private func writeAndLoad(_ configBytes: Data, id: String, layers: [LayerRef], from first: Int, tags: [String]) async throws {
        let archive = store.root.temporary.appendingPathComponent("daemon-load-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: archive) }
        let configName = id.replacingOccurrences(of: "sha256:", with: "") + ".json"
        let layerNames = layers.indices.map { "layers/\($0).tar" }
        let sink = try FileByteSink(path: archive.path)
        var writer = TarWriter(sink)
        try writer.writeEntry(TarHeader(name: configName), bytes: Array(configBytes))
        for index in first..<layers.count {
            let digest = try layers[index].blob.digest
            guard let path = store.content.path(digest), let info = try store.content.info(digest) else {
                throw BuildError(.notFound, "layer \(digest) is not in the store")
            }
            var source = try FileByteSource(path: path)
            try writer.writeEntry(TarHeader(name: layerNames[index], size: info.size), contents: &source)
        }
        let manifest = [DockerArchiveManifest(config: configName, repoTags: tags.isEmpty ? nil : tags, layers: layerNames)]
        try writer.writeEntry(TarHeader(name: "manifest.json"), bytes: Array(try JSONEncoder().encode(manifest)))
        try writer.finish()
        try sink.close()
        try await engine.loadImages(from: archive)
    }

    private static func key(_ layers: [LayerRef]) -> String {
        ChainID.chain(layers.map(\.diffID)).last?.description ?? ""
    }
}
