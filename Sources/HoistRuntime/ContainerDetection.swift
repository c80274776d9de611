public import Foundation
import HoistStore

/// Whether this process runs inside a container, by the marks container engines leave: Docker's
/// `/.dockerenv`, Podman's `/run/.containerenv`, the `container` variable (Podman, systemd-nspawn,
/// LXC), the variables Kubernetes gives every pod, or a cgroup path of Docker, containerd,
/// Kubernetes, Podman or LXC. Pod isolation, which rewrites `/`, runs only where one is found.
public enum ContainerDetection {
    /// The first mark found, in words (`/.dockerenv exists`), or nil when none is. The marker
    /// files are looked for under `root`; `cgroups` is this process's `/proc/self/cgroup` unless
    /// given.
    public static func evidence(
        environment: [String: String] = ProcessInfo.processInfo.environment, root: String = "/",
        cgroups: String? = nil
    ) -> String? {
        for marker in markerFiles where FileManager.default.fileExists(atPath: (root.hasSuffix("/") ? String(root.dropLast()) : root) + marker) {
            return "\(marker) exists"
        }
        if let engine = environment["container"], !engine.isEmpty { return "$container is \(engine)" }
        if environment["KUBERNETES_SERVICE_HOST"].map({ !$0.isEmpty }) == true { return "$KUBERNETES_SERVICE_HOST is set (a Kubernetes pod)" }
        let engines = ["/docker/", "/docker-", "kubepods", "/containerd/", "cri-containerd", "/libpod", "/lxc/", "/lxc.payload"]
        for line in (cgroups ?? ProcFile.read("/proc/self/cgroup") ?? "").split(separator: "\n") {
            let path = line.split(separator: ":", maxSplits: 2).last.map(String.init) ?? ""
            if let engine = engines.first(where: path.contains) {
                return "the cgroup \(path) is a container's (\(engine.trimmingCharacters(in: CharacterSet(charactersIn: "/-."))))"
            }
        }
        return nil
    }

    /// Marker files of the engine, which stay in a tree pod isolation rewrites: later builds in
    /// the same container must find them.
    public static let markerFiles = ["/.dockerenv", "/run/.containerenv"]
}
