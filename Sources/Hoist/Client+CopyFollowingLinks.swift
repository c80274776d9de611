import Foundation
import HoistBackend

/// `docker cp -L`: a source that is a symbolic link is copied as what it points to, under the
/// link's own name, on every backend (through their copies of paths, which never follow a link
/// themselves).
extension Client {
    /// Copies host file or directory `source` to `destination` in container `name` on this
    /// client's backend, as `docker cp SRC CONTAINER:DEST` does (`hoist cp`): into
    /// `destination` when it is a directory there, else as it.
    public func copyIn(_ name: String, from source: String, to destination: String) async throws {
        try await containerBackend.copyIn(name, from: source, to: destination)
    }

    /// Copies `source` in container `name` on this client's backend to host path
    /// `destination`, as `docker cp CONTAINER:SRC DEST` does (`hoist cp`): into `destination`
    /// when it is a directory, else as it.
    public func copyOut(_ name: String, from source: String, to destination: String) async throws {
        try await containerBackend.copyOut(name, from: source, to: destination)
    }

    /// Copies host `source` into container `name` as ``copyIn(_:from:to:)``; with `followLink`,
    /// a symlink `source` as the file or directory it leads to, named as the link.
    /// With `archive` (`-a`) what comes in is the container user's.
    public func copyIn(_ name: String, from source: String, to destination: String, followLink: Bool, archive: Bool = false) async throws {
        guard followLink, (try? FileManager.default.destinationOfSymbolicLink(atPath: source)) != nil else {
            return try await containerBackend.copyIn(name, from: source, to: destination, archive: archive)
        }
        let resolved = URL(fileURLWithPath: source).resolvingSymlinksInPath().path
        guard FileManager.default.fileExists(atPath: resolved) else { throw ClientError(.notFound, "\(source): no such file or directory") }
        try await withScratchDirectory { scratch in
            // The target under the link's name: what the backend copies keeps that name.
            let named = scratch + "/" + CopyTarget.lastComponent(source)
            try FileManager.default.copyItem(atPath: resolved, toPath: named)
            try await containerBackend.copyIn(name, from: named, to: destination, archive: archive)
        }
    }

    /// Copies `source` of container `name` to host `destination` as ``copyOut(_:from:to:)``;
    /// with `followLink`, a symlink `source` as what it leads to in the container (its chain
    /// followed there), named as the link.
    /// `archive` (`-a`) changes nothing on the way out: the copies are the caller's, as docker cp's.
    public func copyOut(_ name: String, from source: String, to destination: String, followLink: Bool, archive: Bool = false) async throws {
        guard followLink else { return try await containerBackend.copyOut(name, from: source, to: destination, archive: archive) }
        var path = source
        // Each link of the chain is read from a copy of it: backends copy paths, they do not stat them.
        for _ in 0..<40 {
            let target: String? = try await withScratchDirectory { scratch in
                let copy = scratch + "/entry"
                try await copyOut(name, from: path, to: copy)
                return try? FileManager.default.destinationOfSymbolicLink(atPath: copy)
            }
            guard let target else { break }
            path = target.hasPrefix("/") ? target : CopyTarget.parent(path) + "/" + target
        }
        guard path != source else { return try await containerBackend.copyOut(name, from: source, to: destination, archive: archive) }
        let (directory, entry) = try CopyTarget.onHost(destination)
        try await containerBackend.copyOut(name, from: path, to: directory + "/" + (entry ?? CopyTarget.lastComponent(source)), archive: archive)
    }

    /// Runs `body` with a fresh directory in the store's scratch space, removed afterwards.
    private func withScratchDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = store.root.temporary.appendingPathComponent("copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory.path)
    }
}
