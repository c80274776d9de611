#if canImport(Glibc)
    import Glibc
#endif
import Foundation
package import HoistBackend
import HoistArchive
package import HoistBuild
import HoistRuntime
package import HoistStore

extension NativeBackend {
    /// Refuses ``BuildIsolation/pod`` unless the build may take this container's `/`: as root, where a container is detected
    /// (``ContainerDetection``; `failedPrecondition` otherwise). Checked before the build does
    /// anything. Returns the evidence of the container.
    @discardableResult
    package func checkPodIsolation() throws -> String {
        guard geteuid() == 0, !UserNamespace.isNested else {
            throw ClientError(.failedPrecondition, "--isolation=pod needs root in its container (it writes every file of the image, owners included)")
        }
        guard let evidence = ContainerDetection.evidence() else {
            throw ClientError(
                .failedPrecondition,
                "--isolation=pod replaces the files of the machine it runs on with the image's, so it runs only inside a throwaway container, and none is detected here (no /.dockerenv, /run/.containerenv, $container, Kubernetes variables or container cgroup)")
        }
        return evidence
    }

    /// The worker's snapshotter and runner for ``BuildIsolation/pod`` (checked again first).
    /// The tree keeps the mount points, the store, the `hoist` executable, the engine's marker
    /// files, and `keeping` (the build's local directories) with the Dockerfile and the
    /// secrets' and agents' files.
    package func podIsolation(_ options: BuildOptions, keeping: [String]) throws -> (snapshotter: any Snapshotter, runner: any CommandRunner) {
        let evidence = try checkPodIsolation()
        if options.stepLimits.memoryBytes != nil || options.stepLimits.cpuQuota != nil || !options.stepLimits.capabilitiesDropped.isEmpty {
            options.progress.report(.warning(BuildWarning(
                message: "--isolation=pod: RUN steps get the container's own limits and capabilities; --memory, --cpu-quota and --cap-drop are not applied")))
        }
        options.progress.report(.warning(BuildWarning(message: "--isolation=pod: building in this container's own / (\(evidence))")))
        let executables = ["/proc/self/exe", CommandLine.arguments.first ?? ""].filter { !$0.isEmpty }
        let kept = [store.root.url.path] + executables + ContainerDetection.markerFiles + keeping
            + [options.dockerfile?.path].compactMap { $0 } + Array(options.secrets.values) + Array(options.sshAgents.values)
        return (try InPlaceSnapshotter(store: store, root: "/", keeping: kept), PodCommandRunner())
    }
}
