import HoistBackend
import HoistContainerd
import HoistStore

extension HoistStore.Mount {
    /// A containerd snapshot's mount, to mount here.
    init(_ mount: ContainerdMount) {
        self.init(type: mount.type, source: mount.source, target: mount.target.isEmpty ? nil : mount.target, options: mount.options)
    }
}
