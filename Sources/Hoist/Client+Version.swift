import Foundation
import HoistContainerd
import HoistDockerEngine
import HoistOCI
import HoistRuntime

extension Client {
    /// The versions of what this client's backend runs on, each asked of the part itself:
    /// native — Hoist and the OCI runtimes installed (`runc --version`, `crun --version`);
    /// docker — the daemon's `/version`; containerd — its `Version` call.
    /// Throws `unavailable` when the daemon does not answer.
    public func backendVersion() async throws -> BackendVersion {
        switch backend {
        case .native, .automatic:
            var components = [BackendVersion.Component(name: "Hoist", version: HoistVersion.current, details: ["Store": store.root.url.path])]
            for runtime in [try? OCIRuntime.runc(), try? OCIRuntime.crun()].compactMap({ $0 }) {
                let (name, executable) = (runtime.name, runtime.executable)
                guard
                    let output = try? await ExternalProcess(executable, ["--version"]).checked()
                else { continue }
                // `runc version 1.1.5+ds1` / `crun version 1.8.1`, then commit and spec lines.
                let lines = output.outputText.split(separator: "\n").map(String.init)
                let version = lines.first?.split(separator: " ").last.map(String.init) ?? ""
                var details = ["Path": executable]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    let key = String(line[..<colon]).trimmingCharacters(in: .whitespaces).capitalized
                    details[key] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                }
                components.append(.init(name: name, version: version, details: details))
            }
            return BackendVersion(
                backend: .native, platform: "Hoist", version: HoistVersion.current, os: "linux",
                architecture: Platform.host.architecture, components: components)
        case .docker:
            let engine = try await EngineClient.connect(try DockerHost.fromEnvironment(), timeout: .seconds(15))
            let version: EngineVersion
            do {
                version = try await engine.version()
                try? await engine.shutdown()
            } catch {
                try? await engine.shutdown()
                throw error
            }
            return BackendVersion(
                backend: .docker, platform: "Docker Engine", version: version.version, apiVersion: version.apiVersion,
                minimumAPIVersion: version.minAPIVersion, os: version.os ?? "linux", architecture: version.arch ?? Platform.host.architecture,
                components: [.init(name: "Engine", version: version.version)])
        case .containerd:
            let daemon = try ContainerdClient(ContainerdAddress.fromEnvironment())
            defer { daemon.close() }
            let (version, revision) = try await daemon.version()
            return BackendVersion(
                backend: .containerd, platform: "containerd", version: version, os: "linux", architecture: Platform.host.architecture,
                components: [.init(name: "containerd", version: version, details: ["GitCommit": revision])])
        }
    }
}
