public import Foundation
public import HoistOCI
public import HoistStore

/// The image verbs, each on this client's backend: the store's images natively, the daemon's
/// on the docker backend, containerd's on the containerd backend. A backend that lacks one says
/// so with `unsupported`, naming the capability (``BackendCapability``).
extension Client {
    /// The images (one per name, a nameless one once) that meet every filter, as
    /// `docker images --filter` lists them.
    ///
    /// - Parameter filters: `key=value` conditions: `dangling=true|false`, `label=<key>` /
    ///   `label=<key>=<value>`, `label!=<key>[=<value>]`, `reference=<pattern>` (a glob on
    ///   `name:tag` or `name`; one of several must match), `before=<image>` / `since=<image>`
    ///   (created before or after that image), `until=<time>` (created at or before it). The
    ///   docker backend hands them to the daemon, whose error is given verbatim.
    /// - Throws: ``ClientError`` `invalidArgument` for an unknown key or a bad value,
    ///   `notFound` for a `before`/`since` image that does not exist.
    public func images(filters: [String] = []) async throws -> [ImageSummary] {
        try await containerBackend.images(filters: filters)
    }

    /// Removes the image `name` designates, as `docker rmi` does, and returns what it did.
    ///
    /// - A name (`busybox`, `app:1`) is taken off its image; when it was the image's last name
    ///   the image is deleted too.
    /// - An image ID or a unique prefix of one deletes the image with all its names; when it has
    ///   several names this needs `force`, so that an ID copied from one line of `hoist images`
    ///   does not silently take the other names with it.
    /// - An image a container uses is not deleted without `force`; with it, its names go but the
    ///   image stays, nameless, for the container.
    ///
    /// - Throws: ``ClientError`` `notFound` for no such image, `invalidArgument` for a bad name
    ///   or an ambiguous ID prefix, `failedPrecondition` for a removal that needs `force`.
    @discardableResult
    public func removeImage(_ name: String, force: Bool = false) async throws -> [ImageRemoval] {
        try await containerBackend.removeImage(name, force: force)
    }

    /// Removes unused images, as `docker image prune` does, and returns what went.
    ///
    /// - Parameters:
    ///   - all: remove every image no container uses; otherwise only dangling (nameless) ones.
    ///   - filters: `key=value` conditions an image must all meet to be removed:
    ///     `until=<time>` (created at or before it: a duration back from now such as `24h` or
    ///     `1h30m`, unix seconds, or an RFC 3339 date-time), `label=<key>` / `label=<key>=<value>`
    ///     (has that label), `label!=<key>` / `label!=<key>=<value>` (has not), and
    ///     `dangling=true|false`.
    /// - Throws: ``ClientError`` `invalidArgument` for an unknown filter key or a bad value;
    ///   nothing is removed then.
    @discardableResult
    public func pruneImages(all: Bool = false, filters: [String] = []) async throws -> PruneReport {
        try await containerBackend.pruneImages(all: all, filters: filters)
    }

    /// Force-removes the images created more than `age` ago that meet every one of `filters`
    /// (the keys of ``pruneImages(all:filters:)``: `label=…`, `label!=…`, `dangling=…`, another
    /// `until=…`), named or not, whatever their number of names — as `docker image prune -a
    /// --filter until=AGE` does — and returns what went.
    ///
    /// Images that containers use are kept, as Docker's prune keeps them: those of kept
    /// containers (running, stopped or only created) and of runs in progress. Remove the
    /// containers first to let their images go.
    ///
    /// - Throws: ``ClientError`` `invalidArgument` for a negative `age`, an unknown filter key
    ///   or a bad value; nothing is removed then.
    @discardableResult
    public func clean(olderThan age: Duration, filters: [String] = []) async throws -> PruneReport {
        guard age >= .zero else { throw ClientError(.invalidArgument, "clean(olderThan: \(age)): the age cannot be negative") }
        // Whole milliseconds, in the Go duration form every backend's `until` reads.
        let milliseconds = age.components.seconds * 1000 + age.components.attoseconds / 1_000_000_000_000_000
        return try await pruneImages(all: true, filters: filters + ["until=\(milliseconds)ms"])
    }

    /// Writes the images `names` designates to `destination`, in Docker-archive form (what
    /// `docker load` reads) or as an OCI layout in a tar; a failed save leaves no file. The
    /// docker backend's daemon writes Docker archives only.
    public func save(_ names: [String], format: ImageArchiveFormat = .docker, to destination: URL,
                     progress: @escaping TransferProgressHandler = { _ in }) async throws {
        try await containerBackend.saveImages(names, format: format, to: destination, progress: progress)
    }

    /// Copies image `name` from the store into the backend's own image store under the same
    /// name: for containerd, its blobs into the content store, an image record, and its
    /// layers unpacked; for docker, into the daemon. Nothing to do on the native backend.
    public func loadIntoBackend(_ name: String) async throws {
        try await containerBackend.loadFromStore(name, store: store)
    }
}
