import Foundation
import HoistArchive
import HoistOCI

/// Reads an image archive into the store: a Docker archive (`docker save`: `manifest.json`,
/// config files and layer tars) or an OCI image layout in a tar (`oci-layout`, `index.json`,
/// `blobs/`), either one plain or gzip/zstd-compressed.
///
/// The archive is read once, front to back: every file goes straight into the content store as
/// a verified blob, so nothing is extracted to disk and an archive of any size needs no
/// temporary space. Every blob is held by the running operation's lease (``Lease/current``)
/// from before it is written or found present. Blobs the archive brought that no image uses,
/// and on failure all it brought, are removed again unless something else holds them (another
/// load that found them present, a name): ``Store/removeUnheld(_:apartFrom:)``. Naming the
/// images is the caller's step, inside the same ``Store/withWriteLease(_:)``.
struct ImageArchiveLoader {
    let store: Store
    /// Told of each file as it goes into the store: its bytes so far and in all (`load`'s bars).
    var progress: TransferProgressHandler = { _ in }

    /// A regular file of the archive, now a blob.
    private struct Member {
        let digest: Digest
        let size: Int64
    }

    /// Top-level files that describe the archive rather than hold content.
    private static let indexFiles: Set<String> = ["manifest.json", "index.json", "oci-layout", "repositories"]

    func load(path: String) throws -> [ArchivedImage] {
        var members: [String: Member] = [:]
        var indexFiles: [String: Data] = [:]
        var added = Set<Digest>()
        do {
            try readMembers(path: path, members: &members, indexFiles: &indexFiles, added: &added)
            let images: [ArchivedImage]
            var used = Set<Digest>()
            if indexFiles["oci-layout"] != nil, let index = indexFiles["index.json"] {
                images = try loadLayout(index: index, members: members, path: path, used: &used)
            } else if let manifest = indexFiles["manifest.json"] {
                images = try loadDockerArchive(manifest: manifest, members: members, path: path, used: &used)
            } else {
                throw StoreError(
                    .invalidArgument,
                    "\(path) is not an image archive: it has neither manifest.json (docker save) nor oci-layout and index.json (OCI); for a root filesystem tar use `hoist import`")
            }
            try store.removeUnheld(added.subtracting(used), apartFrom: Lease.current)
            return images
        } catch {
            // Leave nothing behind that only this archive brought.
            try? store.removeUnheld(added, apartFrom: Lease.current)
            throw error
        }
    }

    /// The ID a progress display shows for archive file `name`: the 64-hex ID in its path
    /// (`blobs/sha256/HEX`, docker save's `HEX/layer.tar` and `HEX.json`), as `docker load`
    /// names its layers; nil for a file without one.
    static func progressID(of name: String) -> Digest? {
        for part in name.split(whereSeparator: { $0 == "/" || $0 == "." }) where part.count == 64 {
            if let digest = try? Digest(parsing: "sha256:" + part) { return digest }
        }
        return nil
    }

    private func readMembers(path: String, members: inout [String: Member], indexFiles: inout [String: Data],
                             added: inout Set<Digest>) throws {
        let file: FileByteSource
        do {
            file = try FileByteSource(path: path)
        } catch let error as ArchiveError where error.code == .notFound {
            throw StoreError(.notFound, "\(path): no such file")
        }
        let decompressed = try DecompressingSource(file)
        var reader = TarReader(decompressed)
        var sawEntry = false
        var links: [String: (target: String, symbolic: Bool)] = [:]
        while true {
            let header: TarHeader?
            do {
                header = try reader.next()
            } catch let error as ArchiveError where !sawEntry {
                throw StoreError(.invalidArgument, "\(path) is not a tar archive", underlying: error)
            }
            guard let header else { break }
            sawEntry = true
            if header.type == .symbolicLink || header.type == .hardLink {
                links[Self.clean(header.name)] = (header.linkName, header.type == .symbolicLink)
                continue
            }
            guard header.type == .regular else { continue }
            let name = Self.clean(header.name)
            if Self.indexFiles.contains(name) {
                guard header.size <= 64 << 20 else {
                    throw StoreError(.invalidArgument, "\(path): \(name) is implausibly large (\(header.size) bytes)")
                }
                indexFiles[name] = Data(try reader.readContents())
                continue
            }
            // Legacy per-layer metadata of docker save (`ID/json`, `ID/VERSION`) is not needed.
            if name.hasSuffix("/json") || name.hasSuffix("/VERSION") { continue }
            let writer = try store.content.writer(expecting: nil, size: header.size)
            do {
                let item = Self.progressID(of: name)
                let total = header.size
                let report = progress
                item.map { report(TransferProgress(digest: $0, mediaType: .ociLayer, phase: .downloading, completed: 0, total: total)) }
                var sink = CountingSink(writer) { count in
                    item.map { report(TransferProgress(digest: $0, mediaType: .ociLayer, phase: .downloading, completed: count, total: total)) }
                }
                try reader.copy(to: &sink)
                let (digest, size) = try writer.commit()
                item.map { report(TransferProgress(digest: $0, mediaType: .ociLayer, phase: .complete, completed: size, total: size)) }
                members[name] = Member(digest: digest, size: size)
                if !writer.wasPresent { added.insert(digest) }
            } catch {
                writer.abort()
                throw error
            }
        }
        if !sawEntry {
            throw StoreError(.invalidArgument, "\(path) is empty: not an image archive")
        }
        // docker save stores a layer two images share once, the second as a link to the first
        // (`../ID/layer.tar`): such a member holds what its target holds.
        for name in links.keys {
            var target = name
            for _ in 0..<8 {
                guard let (link, symbolic) = links[target] else { break }
                target = symbolic ? DockerArchiveManifest.resolve(link, besides: target) : Self.clean(link)
            }
            if let member = members[target] { members[name] = member }
        }
    }


    // MARK: OCI layout

    private func loadLayout(index data: Data, members: [String: Member], path: String,
                            used: inout Set<Digest>) throws -> [ArchivedImage] {
        // Every blob must be stored under its own digest.
        for (name, member) in members where name.hasPrefix("blobs/") {
            let expected = try? Digest(parsing: name.dropFirst("blobs/".count).replacingOccurrences(of: "/", with: ":"))
            guard let expected, expected == member.digest else {
                throw StoreError(.dataLoss, "\(path): \(name) does not hold the content its name claims; it hashes to \(member.digest)")
            }
        }
        let index = try decode(ImageIndex.self, from: data, what: "index.json", path: path)
        var images: [ArchivedImage] = []
        for descriptor in index.manifests {
            let digest = try descriptor.digest
            try requirePresent(descriptor, what: "manifest", path: path)
            used.formUnion(try store.content.reachable(from: [(descriptor.mediaType.rawValue, digest)]))
            var created: Date?
            if descriptor.mediaType.isManifest {
                let manifest = try decode(ImageManifest.self, from: try store.content.data(digest), what: "manifest \(digest)", path: path)
                for child in [manifest.config] + manifest.layers {
                    try requirePresent(child, what: "blob of manifest \(digest)", path: path)
                }
                created = try? JSONDecoder().decode(ImageConfig.self, from: store.content.data(try manifest.config.digest)).createdDate
            }
            let annotations = descriptor.annotations ?? [:]
            // containerd and Docker record the full name; the OCI annotation is often a tag only.
            let names = [annotations["io.containerd.image.name"] ?? annotations["org.opencontainers.image.ref.name"]]
                .compactMap { $0 }
            images.append(ArchivedImage(names: names, target: descriptor.strippedForTarget, created: created))
        }
        return images
    }

    // MARK: Docker archive

    private func loadDockerArchive(manifest data: Data, members: [String: Member], path: String,
                                   used: inout Set<Digest>) throws -> [ArchivedImage] {
        let entries = try decode([DockerArchiveManifest].self, from: data, what: "manifest.json", path: path)
        var images: [ArchivedImage] = []
        for entry in entries {
            guard let configMember = members[Self.clean(entry.config)] else {
                throw StoreError(.invalidArgument, "\(path): manifest.json names config \(entry.config), which the archive lacks")
            }
            let config = try decode(
                ImageConfig.self, from: try store.content.data(configMember.digest), what: entry.config, path: path)
            guard config.rootfs.diffIDs.count == entry.layers.count else {
                throw StoreError(
                    .invalidArgument,
                    "\(path): config \(entry.config) lists \(config.rootfs.diffIDs.count) layers but manifest.json \(entry.layers.count)")
            }
            var layers: [Descriptor] = []
            for (layerPath, diffID) in zip(entry.layers, config.rootfs.diffIDs) {
                guard let member = members[Self.clean(layerPath)] else {
                    throw StoreError(.invalidArgument, "\(path): manifest.json names layer \(layerPath), which the archive lacks")
                }
                let mediaType = try layerMediaType(member, diffID: diffID, name: layerPath, path: path)
                layers.append(Descriptor(mediaType: mediaType, digest: member.digest, size: member.size))
                used.insert(member.digest)
            }
            used.insert(configMember.digest)
            let manifest = ImageManifest(
                config: Descriptor(mediaType: .ociConfig, digest: configMember.digest, size: configMember.size),
                layers: layers)
            let (digest, size) = try store.content.write(try CanonicalJSON.encode(manifest))
            used.insert(digest)
            images.append(ArchivedImage(
                names: entry.repoTags ?? [],
                target: Descriptor(mediaType: .ociManifest, digest: digest, size: size),
                created: config.createdDate))
        }
        return images
    }

    /// The media type of a layer tar from a Docker archive, checked against its diff ID: a plain
    /// tar must hash to it, a compressed one must decompress to it.
    private func layerMediaType(_ member: Member, diffID: Digest, name: String, path: String) throws -> MediaType {
        if member.digest == diffID { return .ociLayer }
        guard let blobPath = store.content.path(member.digest) else {
            throw StoreError(.internal, "layer \(member.digest) vanished while loading \(path)")
        }
        let source = try DecompressingSource(try FileByteSource(path: blobPath))
        var hashing = DigestingSource(source)
        try hashing.drain()
        guard source.compression != .none, hashing.digest == diffID else {
            throw StoreError(.dataLoss, "\(path): layer \(name) does not match diff ID \(diffID) of its config; it hashes to \(member.digest)")
        }
        return source.compression == .zstd ? .ociLayerZstd : .ociLayerGzip
    }

    // MARK: Helpers

    /// Throws unless `descriptor`'s blob is here with the size the descriptor claims: a size that
    /// lies would be believed by everything that adds sizes up.
    private func requirePresent(_ descriptor: Descriptor, what: String, path: String) throws {
        let present: Bool
        do {
            present = try store.content.contains(descriptor)
        } catch let error as StoreError {
            throw StoreError(error.code, "\(path): \(what): \(error.message)")
        }
        guard present else {
            throw StoreError(.invalidArgument, "\(path): \(what) \(descriptor.digestString) is neither in the archive nor in the store")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from data: Data, what: String, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw StoreError(.invalidArgument, "\(path): \(what) is not valid", underlying: error)
        }
    }

    /// An archive member name without a leading `./` or `/`.
    static func clean(_ name: String) -> String {
        var name = Substring(name)
        while name.hasPrefix("./") { name = name.dropFirst(2) }
        while name.hasPrefix("/") { name = name.dropFirst() }
        return String(name)
    }
}

extension Descriptor {
    /// The descriptor as an image record's target: what it points at, without the annotations
    /// an archive's index puts on it.
    var strippedForTarget: Descriptor {
        var target = self
        target.annotations = nil
        return target
    }
}
