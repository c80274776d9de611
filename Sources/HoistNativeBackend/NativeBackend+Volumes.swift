#if canImport(Glibc)
    import Glibc
#endif
import Foundation
public import HoistBackend
import HoistArchive
import HoistRuntime
public import HoistStore

/// Named volumes as Docker's `local` driver keeps them: `volumes/NAME/_data` in the store, made
/// on first use by `-v NAME:/path`, filled from the image's files at that path when a container
/// first starts with it empty (Docker's copy-up), and kept until removed; `prune` and `rm` leave
/// the volumes of kept containers.
extension NativeBackend {
    /// `volumes/` in the store.
    var volumesDirectory: URL { store.root.url.appendingPathComponent("volumes", isDirectory: true) }

    /// Makes volume `name` (a made-up one when nil) unless it exists, and returns it. Throws
    /// `invalidArgument` for a name Docker would refuse.
    @discardableResult
    public func createVolume(_ name: String? = nil, labels: [String: String] = [:]) throws -> VolumeSummary {
        let name = name ?? (UUID().uuidString + UUID().uuidString).lowercased().replacingOccurrences(of: "-", with: "").prefix(64).description
        try Self.validateVolumeName(name)
        if let existing = try? volume(name) { return existing }
        let directory = volumesDirectory.appendingPathComponent(name, isDirectory: true)
        let data = directory.appendingPathComponent("_data", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: volumesDirectory, withIntermediateDirectories: true)
            // Made aside and renamed into place: a volume is there whole or not at all.
            let staging = volumesDirectory.appendingPathComponent(".new-\(UUID().uuidString)", isDirectory: true)
            try FileManager.default.createDirectory(at: staging.appendingPathComponent("_data"), withIntermediateDirectories: true)
            let record = VolumeSummary(name: name, mountpoint: data.path, created: Date(), labels: labels)
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            try encoder.encode(record).write(to: staging.appendingPathComponent("volume.json"))
            if rename(staging.path, directory.path) != 0 {
                try? FileManager.default.removeItem(at: staging)
                // Another process made it meanwhile.
                if let existing = try? volume(name) { return existing }
                throw ClientError(.unavailable, "cannot create volume \(name): \(String(cString: strerror(errno)))")
            }
            return record
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.unavailable, "cannot create volume \(name)", underlying: error)
        }
    }

    /// Every volume, by name.
    public func volumes() throws -> [VolumeSummary] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: volumesDirectory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap { try? volume($0) }
    }

    /// Volume `name`; `notFound` when there is none.
    public func volume(_ name: String) throws -> VolumeSummary {
        let file = volumesDirectory.appendingPathComponent(name).appendingPathComponent("volume.json")
        guard !name.contains("/"), let data = FileManager.default.contents(atPath: file.path) else {
            throw ClientError(.notFound, "no such volume: \(name)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(VolumeSummary.self, from: data)
        } catch {
            throw ClientError(.dataLoss, "volume \(name): \(file.path) cannot be read", underlying: error)
        }
    }

    /// Removes volume `name`; `failedPrecondition` naming the containers that use it (removed or
    /// not, as `docker volume rm` refuses, `force` or not).
    public func removeVolume(_ name: String) throws {
        let volume = try self.volume(name)
        let users = try containers(using: volume)
        guard users.isEmpty else {
            throw ClientError(.failedPrecondition, "remove \(name): volume is in use - [\(users.joined(separator: ", "))]")
        }
        let directory = volumesDirectory.appendingPathComponent(name)
        let doomed = volumesDirectory.appendingPathComponent(".removed-\(UUID().uuidString)")
        // Out of sight at once, then deleted: a crash midway leaves no half volume under its name.
        guard rename(directory.path, doomed.path) == 0 else {
            throw ClientError(.unavailable, "cannot remove volume \(name): \(String(cString: strerror(errno)))")
        }
        try? FileManager.default.removeItem(at: doomed)
    }

    /// Removes every volume no container uses; returns their names.
    public func pruneVolumes() throws -> [String] {
        var removed: [String] = []
        for volume in try volumes() where try containers(using: volume).isEmpty {
            try removeVolume(volume.name)
            removed.append(volume.name)
        }
        // What a crash left between a rename and its removal.
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: volumesDirectory.path)) ?? []
        where leftover.hasPrefix(".removed-") {
            try? FileManager.default.removeItem(at: volumesDirectory.appendingPathComponent(leftover))
        }
        return removed
    }

    /// The names of the kept containers that mount `volume`.
    func containers(using volume: VolumeSummary) throws -> [String] {
        try store.containers().compactMap { record in
            guard let container = try? StoredContainer(record: record, store: store) else { return nil }
            let uses = container.configuration.settings.mounts.contains {
                if case .bind(let source, _, _) = $0 { return source == volume.mountpoint }
                return false
            }
            return uses ? record.name : nil
        }
    }

    /// The label of anonymous volumes, as Docker (23 and later) marks them: only these go with
    /// their container (`hoist rm -v`, `--rm`).
    static let anonymousVolumeLabel = "com.docker.volume.anonymous"

    /// The anonymous volumes a new kept container gets, as Docker makes them: one for each
    /// `-v /path` without a source, and one for each VOLUME of the image that no other mount
    /// of the container covers. Each is a new volume with a made-up name, filled from the
    /// image at its first start (copy-up) like a named one.
    func anonymousVolumeMounts(_ options: RunOptions, imageVolumes: Set<String>, mounted: [ContainerMount]) throws -> [ContainerMount] {
        let asked = options.volumes.filter { $0.host.isEmpty }.map { (path: $0.container, readOnly: $0.readOnly) }
        let covered = Set((mounted.map(\.destination) + asked.map { $0.path }).map(Self.cleanContainerPath))
        let fromImage = imageVolumes.map(Self.cleanContainerPath).filter { !covered.contains($0) }.sorted().map { (path: $0, readOnly: false) }
        var made: [ContainerMount] = []
        do {
            for volume in asked + fromImage {
                let created = try createVolume(labels: [Self.anonymousVolumeLabel: ""])
                made.append(.bind(source: created.mountpoint, destination: volume.path, readOnly: volume.readOnly))
            }
        } catch {
            try? removeAnonymousVolumes(of: made)
            throw error
        }
        return made
    }

    /// Removes the anonymous volumes among `mounts` that no kept container uses; named volumes
    /// stay, as `docker rm -v` leaves them.
    func removeAnonymousVolumes(of mounts: [ContainerMount]) throws {
        for mount in mounts {
            guard case .bind(let source, _, _) = mount, let found = try? self.volume(mountedFrom: source),
                found.labels[Self.anonymousVolumeLabel] != nil, try containers(using: found).isEmpty
            else { continue }
            try removeVolume(found.name)
        }
    }

    /// The volume whose data directory is `source`, or nil for any other path.
    func volume(mountedFrom source: String) throws -> VolumeSummary? {
        let prefix = volumesDirectory.path + "/"
        guard source.hasPrefix(prefix), source.hasSuffix("/_data") else { return nil }
        let name = String(source.dropFirst(prefix.count).dropLast("/_data".count))
        guard !name.isEmpty, !name.contains("/") else { return nil }
        return try volume(name)
    }

    /// `/data/`, `/data/.` and `//data` are all `/data`, as Docker compares mount points.
    static func cleanContainerPath(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// `-v NAME:/path`: the volume's directory, the volume made when it does not exist yet.
    func volumeSource(_ name: String) throws -> String {
        try createVolume(name).mountpoint
    }

    /// Docker's copy-up: each volume the container mounts that is still empty gets the files the
    /// image has at the mount's destination (owners, modes and times kept), before its first start.
    func copyUpVolumes(_ settings: ContainerSettings, rootfs: String) throws {
        let prefix = volumesDirectory.path + "/"
        for mount in settings.mounts {
            guard case .bind(let source, let destination, _) = mount, source.hasPrefix(prefix), source.hasSuffix("/_data"),
                (try? FileManager.default.contentsOfDirectory(atPath: source))?.isEmpty == true
            else { continue }
            let inImage: String
            do {
                inImage = try RootedPath(root: rootfs).resolve(destination)
            } catch {
                continue
            }
            var status = stat()
            guard lstat(inImage, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { continue }
            var copy = ExternalProcess("cp", ["-a", "--", inImage + "/.", source + "/"])
            copy.standardOutput = .discard
            let result = try copy.runBlocking()
            guard result.status == .exited(0) else {
                throw ClientError(.unavailable, "cannot copy \(destination) of the image into its volume: \(result.errorText)")
            }
        }
    }

    /// Docker's rule: a letter or digit, then letters, digits, `_`, `.` or `-`.
    static func validateVolumeName(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        guard name.count >= 2, let first = name.first, first.isLetter || first.isNumber, name.allSatisfy(allowed.contains) else {
            throw ClientError(
                .invalidArgument,
                "\"\(name)\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path")
        }
    }
}
