import Foundation
import Hoist
import HoistStore
import HoistTestSupport

/// A client on a fresh store with the busybox base image imported as `busybox:latest`.
struct BusyboxFixture {
    let directory: TemporaryDirectory
    let client: Client
    let rootfs: URL

    /// A fixture on `rootfs` when given (a tar many fixtures share), else on one made for it.
    init(name: String = "busybox:latest", rootfs shared: URL? = nil) throws {
        directory = try TemporaryDirectory()
        rootfs = shared ?? directory.appending("rootfs.tar")
        if shared == nil { try Interop.makeBusyboxRootfs(at: rootfs) }
        client = try Client(root: StoreRoot(directory.appending("store")))
        try client.importImage(rootfs: rootfs, as: name, changes: ["CMD [\"sh\"]"])
    }

    /// A fixture whose image is also in the test's dockerd under the same name (`docker import`
    /// of the same root filesystem), for parity with `docker run`.
    static func alsoInDocker(_ name: String) throws -> BusyboxFixture {
        let fixture = try BusyboxFixture(name: name)
        try ExternalCommand.checked([Interop.docker, "import", "-c", "CMD [\"sh\"]", fixture.rootfs.path, name])
        return fixture
    }

    /// A second client on a new, empty store in the same temporary directory.
    func freshClient(_ name: String) throws -> Client {
        try Client(root: StoreRoot(directory.appending(name)))
    }

    /// The blobs in a client's store.
    static func blobCount(_ client: Client) throws -> Int {
        try client.store.content.all().count
    }
}

/// A store in `directory` driven through the `hoist` executable, with busybox imported by
/// `hoist import` (CMD sh) as `busybox`.
func commandLineStoreWithBusybox(in directory: TemporaryDirectory) throws -> URL {
    let store = directory.appending("store")
    let rootfs = directory.appending("rootfs.tar")
    try Interop.makeBusyboxRootfs(at: rootfs)
    try Interop.hoist(["import", "--change", "CMD [\"sh\"]", rootfs.path, "busybox"], root: store).checkedStatus()
    return store
}

/// A unique name for things created in the shared Docker daemon.
func uniqueDockerName(_ prefix: String) -> String {
    "hoist-test-\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}
