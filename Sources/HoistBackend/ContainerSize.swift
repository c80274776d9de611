/// What a container takes on disk, as `docker ps -s` shows it: its own writable layer, and its
/// whole file system (the image's layers with it: Docker's "virtual" size).
public struct ContainerSize: Sendable, Hashable {
    public var writable: Int64
    public var rootFileSystem: Int64

    public init(writable: Int64, rootFileSystem: Int64) {
        self.writable = writable
        self.rootFileSystem = rootFileSystem
    }
}
