public import Foundation
public import HoistStore
public import HoistOCI
public import HoistRegistry

/// The operations every backend offers on images, kept containers and builds, as ``Image``,
/// ``Container`` and the `hoist` commands use them: the native backend (Hoist's store and
/// runc/crun), the docker backend (a Docker Engine, module `HoistDocker`) and the containerd
/// backend alike. A client's is ``Client/containerBackend``. Container names and IDs are the
/// backend's own. What a backend cannot do it refuses with ``ClientError`` `unsupported`
/// naming the ``BackendCapability`` it lacks, and its capability set leaves that out.
///
/// Lifecycle: a client makes its backend when it is made, and the backend opens its daemon
/// connection on first use. A kept container goes `createContainer` → `startContainer` (or
/// `runContainer`, attached) → `waitContainer` / `stopContainer` / `killContainer` →
/// `removeContainer`; `run` is all of that for a one-off container. A build asks for one
/// ``BuildPlacement`` per build. `close()` comes last and lets go of the connection.
public protocol ContainerBackend: Sendable {
    /// Whether the backend has image `name` (for `platform`, when one is given).
    func imageExists(_ name: String, platform: Platform?) async -> Bool
    /// Pulls `name` from its registry for `platform` (default: this host's; the docker
    /// backend's daemon pulls for its own when none is given), with `configuration`'s
    /// credentials, mirrors and retries, as `docker pull` does.
    func pullImage(_ name: String, platform: Platform?, configuration: RegistryConfiguration,
                   progress: @escaping TransferEventHandler) async throws -> ImageTransfer
    /// Pushes the image `name` to `destination` (default: `name`, which must then be a
    /// registry reference), with `configuration`'s credentials, as `docker push` does.
    func pushImage(_ name: String, to destination: String?, configuration: RegistryConfiguration,
                   progress: @escaping TransferEventHandler) async throws -> ImageTransfer
    /// Its images (one per name, a nameless one once) that meet every `key=value` filter, as
    /// `docker images --filter` lists them.
    func images(filters: [String]) async throws -> [ImageSummary]
    /// Takes name `name` off its image, as `docker rmi` does (an image ID: the image with every
    /// name, which needs `force` when it has several); what was untagged and deleted.
    func removeImage(_ name: String, force: Bool) async throws -> [ImageRemoval]
    /// Removes images no container uses (only nameless ones unless `all`) that meet every
    /// filter, as `docker image prune` does.
    func pruneImages(all: Bool, filters: [String]) async throws -> PruneReport
    /// Writes images `names` to the archive file `destination` in `format`, whole or not at
    /// all (`docker save`); `progress` is told of each blob as it is written, where the backend
    /// writes the archive itself.
    func saveImages(_ names: [String], format: ImageArchiveFormat, to destination: URL,
                    progress: @escaping TransferProgressHandler) async throws
    /// Loads the images of a Docker archive or an OCI-layout tar, plain or compressed, named as
    /// the archive names them (`docker load`); what was loaded. `progress` is told of each file
    /// as it is read, where the backend reads the archive itself.
    func loadImages(from archive: URL, progress: @escaping TransferProgressHandler) async throws -> [ImageSummary]

    /// Runs a container to its end and removes it; output streamed to the handlers.
    func run(_ image: String, _ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
             standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32
    /// Makes a kept container (not started); returns its ID.
    func createContainer(_ image: String, _ options: RunOptions) async throws -> String
    /// Starts a kept container in the background.
    func startContainer(_ id: String) async throws
    /// Starts a kept container and waits for it, streaming its output (and `standardInput`, where
    /// the backend passes input); returns its exit code.
    func runContainer(_ id: String, standardInput: Data?, standardOutput: @escaping @Sendable (Data) -> Void,
                      standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32
    func waitContainer(_ id: String) async throws -> Int32
    /// The stop signal (SIGTERM unless `--stop-signal`), then SIGKILL after `timeout` seconds
    /// — nil: the container's own `--stop-timeout`, else 10, as `docker stop` waits.
    func stopContainer(_ id: String, timeout: Int?) async throws
    func containerLogs(_ id: String) async throws -> ContainerLogs
    /// What container `id` wrote, as `docker logs` gives it with `options` (`--tail`, `--since`,
    /// `--until`, `-f`): each line to `handler` in the order written, with its time where the
    /// backend's logs keep one; with `follow`, until the container ends. `unsupported` for an
    /// option the backend's logs cannot honour.
    func containerLogs(_ id: String, _ options: LogOptions, handler: @escaping @Sendable (LogEntry) -> Void) async throws
    /// Freezes every process of running container `id` (`docker pause`); `unpauseContainer` thaws them.
    func pauseContainer(_ id: String) async throws
    func unpauseContainer(_ id: String) async throws
    /// Gives container `id` the name `name` (`docker rename`); `alreadyExists` when it is taken.
    func renameContainer(_ id: String, to name: String) async throws
    /// One look at running container `id`'s use of CPU, memory, network, disks and processes
    /// (`docker stats --no-stream`); all zero for a container that is not running.
    func containerStats(_ id: String) async throws -> ContainerStats
    /// Container `id`'s processes as the host's `ps` shows them with `psArguments` (`docker top`;
    /// Docker's default is `-ef`).
    func containerProcesses(_ id: String, psArguments: [String]) async throws -> ContainerProcesses
    /// What container `id` takes on disk (`docker ps -s`).
    func containerSize(_ id: String) async throws -> ContainerSize
    func container(_ id: String) async throws -> ContainerSummary
    func containers(all: Bool) async throws -> [ContainerSummary]
    func exec(_ id: String, _ command: [String], _ options: RunOptions, standardOutput: @escaping @Sendable (Data) -> Void,
              standardError: @escaping @Sendable (Data) -> Void) async throws -> Int32
    func killContainer(_ id: String, signal: String) async throws
    /// Removes a kept container (`force`: a running one too, killed first) and, with
    /// `volumes`, its anonymous volumes that nothing else uses, as `docker rm -v` does.
    func removeContainer(_ id: String, force: Bool, volumes: Bool) async throws
    /// Extracts a tar into a directory of the container.
    func copyIn(_ id: String, archive: Data, into directory: String) async throws
    /// A tar of a path in the container.
    func copyOut(_ id: String, path: String) async throws -> Data
    /// Makes an image of the container, as `docker commit` does (`changes` as its `--change`,
    /// `message` its `-m`, `author` its `-a`); returns its ID.
    func commit(_ id: String, as reference: String?, changes: [String], message: String?, author: String?) async throws -> String
    /// Copies host file or directory `source` to `destination` in container `id`, as `docker cp
    /// SRC CONTAINER:DEST` does: into `destination` when it is a directory there, else as it.
    /// Entries keep their owners; with `archive` (`-a`) they are given the container's user
    /// and its primary group instead, as the daemon gives them.
    func copyIn(_ id: String, from source: String, to destination: String, archive: Bool) async throws
    /// Copies `source` in container `id` to host path `destination`, as `docker cp
    /// CONTAINER:SRC DEST` does: into `destination` when it is a directory, else as it. The
    /// files are the caller's, with `archive` (`-a`) too, as Docker 20.10's CLI leaves them.
    func copyOut(_ id: String, from source: String, to destination: String, archive: Bool) async throws

    /// Copies the image `name` of Hoist's `store` into the backend's own image store under
    /// that name (containerd: its blobs, a record and its layers unpacked; docker: into the
    /// daemon). Natively the store is the backend's: this only checks the image is there.
    func loadFromStore(_ name: String, store: Store) async throws

    /// Where a build on this backend takes its base images, runs its steps and puts its
    /// image: one placement per build (see ``BuildPlacement`` for its lifecycle).
    func buildPlacement(_ request: BuildPlacementRequest) async throws -> any BuildPlacement

    /// Lets go of what the backend holds (daemon connections); it is not used afterwards.
    func close() async
}

extension ContainerBackend {
    /// A backend without the ``BackendCapability/copy`` capability says so.
    public func copyIn(_ id: String, from source: String, to destination: String, archive: Bool) async throws {
        throw ClientError(.unsupported, "this backend cannot copy files into containers (it lacks the copy capability)")
    }

    public func copyOut(_ id: String, from source: String, to destination: String, archive: Bool) async throws {
        throw ClientError(.unsupported, "this backend cannot copy files out of containers (it lacks the copy capability)")
    }

    /// `docker cp` without `-a`.
    public func copyIn(_ id: String, from source: String, to destination: String) async throws {
        try await copyIn(id, from: source, to: destination, archive: false)
    }

    /// `docker cp` without `-a`.
    public func copyOut(_ id: String, from source: String, to destination: String) async throws {
        try await copyOut(id, from: source, to: destination, archive: false)
    }

    /// A backend that holds nothing has nothing to let go of.
    public func close() async {}

    /// Whether the backend has image `name` for this host's platform.
    public func imageExists(_ name: String) async -> Bool { await imageExists(name, platform: nil) }

    /// Removes a kept container and leaves its volumes, as `docker rm` does.
    public func removeContainer(_ id: String, force: Bool) async throws {
        try await removeContainer(id, force: force, volumes: false)
    }
}
