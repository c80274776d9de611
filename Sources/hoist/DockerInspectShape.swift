import Foundation
import Hoist
import HoistOCI

/// `inspect` output with the keys `docker image inspect` and `docker container inspect` give
/// (Engine API 1.41, the daemon CI compares with), values Hoist cannot know present with
/// Docker's zero values, so scripts written for Docker's JSON find every key they read.
enum DockerInspectShape {
    private static let zeroTime = "0001-01-01T00:00:00Z"

    /// An image as `docker image inspect` shows it, plus `Descriptor` as newer Docker adds it.
    static func image(_ details: ImageDetails) -> [String: Any] {
        var object: [String: Any] = [
            "Id": details.id.description,
            "RepoTags": details.repoTags,
            "RepoDigests": [String](),
            "Parent": "",
            "Comment": "",
            "Created": details.created ?? zeroTime,
            "Container": "",
            "ContainerConfig": config(nil),
            "DockerVersion": "",
            "Author": "",
            "Config": config(details.config),
            "Architecture": details.architecture,
            "Os": details.os,
            "Size": details.size,
            "VirtualSize": details.size,
            "GraphDriver": ["Name": "hoist", "Data": NSNull()] as [String: Any],
            "RootFS": ["Type": details.rootFS.type, "Layers": details.rootFS.diffIDs.map(\.description)] as [String: Any],
            "Metadata": ["LastTagTime": zeroTime],
            "Descriptor": ["mediaType": details.mediaType.rawValue, "digest": details.digest.description] as [String: Any],
        ]
        if let variant = details.variant { object["Variant"] = variant }
        return object
    }

    /// A run configuration as Docker's `container.Config` encodes it: every key it always
    /// writes (zero values included), the optional ones only when set.
    static func config(_ config: ContainerConfig?, image: String = "", hostname: String = "") -> [String: Any] {
        var object: [String: Any] = [
            "Hostname": hostname, "Domainname": "", "User": config?.user ?? "",
            "AttachStdin": false, "AttachStdout": false, "AttachStderr": false,
            "Tty": false, "OpenStdin": false, "StdinOnce": false,
            "Env": config?.env ?? NSNull(), "Cmd": config?.cmd ?? NSNull(), "Image": image,
            "Volumes": config?.volumes.map { Dictionary(uniqueKeysWithValues: $0.sorted().map { ($0, [String: Any]()) }) } ?? NSNull(),
            "WorkingDir": config?.workingDir ?? "", "Entrypoint": config?.entrypoint ?? NSNull(),
            "OnBuild": config?.onBuild ?? NSNull(), "Labels": config?.labels ?? NSNull(),
        ]
        if let ports = config?.exposedPorts, !ports.isEmpty {
            object["ExposedPorts"] = Dictionary(uniqueKeysWithValues: ports.sorted().map { ($0, [String: Any]()) })
        }
        if let signal = config?.stopSignal { object["StopSignal"] = signal }
        if config?.argsEscaped == true { object["ArgsEscaped"] = true }
        if let shell = config?.shell { object["Shell"] = shell }
        if let check = config?.healthcheck {
            var health: [String: Any] = [:]
            if let test = check.test { health["Test"] = test }
            if let interval = check.interval { health["Interval"] = interval }
            if let timeout = check.timeout { health["Timeout"] = timeout }
            if let start = check.startPeriod { health["StartPeriod"] = start }
            if let startInterval = check.startInterval { health["StartInterval"] = startInterval }
            if let retries = check.retries { health["Retries"] = retries }
            object["Healthcheck"] = health
        }
        return object
    }

    /// A container as `docker container inspect` shows it: its 23 keys, `State` with Docker's
    /// 11, `HostConfig` with its port bindings, `NetworkSettings` with the address and ports.
    static func container(_ container: ContainerSummary) -> [String: Any] {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var exitCode = 0
        if case .exited(let code) = container.state { exitCode = Int(code) }
        let state: [String: Any] = [
            "Status": PsCommand.state(container), "Running": container.state.isRunning, "Paused": container.paused,
            "Restarting": false, "OOMKilled": false, "Dead": false, "Pid": 0, "ExitCode": exitCode, "Error": "",
            "StartedAt": container.startedAt.map(iso.string) ?? zeroTime,
            "FinishedAt": container.finishedAt.map(iso.string) ?? zeroTime,
        ]
        var imageConfig = ContainerConfig()
        imageConfig.cmd = container.command
        imageConfig.labels = container.labels
        var ports: [String: Any] = [:]
        for mapping in container.ports {
            let key = "\(mapping.containerPort)/\(mapping.transport.rawValue)"
            var bindings = ports[key] as? [[String: String]] ?? []
            bindings.append(["HostIp": mapping.hostAddress?.description ?? "0.0.0.0", "HostPort": String(mapping.hostPort)])
            ports[key] = bindings
        }
        let address = container.networkAddress.map { "\($0)" } ?? ""
        return [
            "Id": container.id, "Created": iso.string(from: container.created),
            "Path": container.command.first ?? "", "Args": Array(container.command.dropFirst()),
            "State": state, "Image": container.imageID.description,
            "ResolvConfPath": "", "HostnamePath": "", "HostsPath": "", "LogPath": "",
            "Name": "/" + container.name, "RestartCount": 0, "Driver": "hoist", "Platform": "linux",
            "MountLabel": "", "ProcessLabel": "", "AppArmorProfile": "", "ExecIDs": NSNull(),
            // Only what the summary knows: a default here could contradict how it was created.
            "HostConfig": ["PortBindings": ports] as [String: Any],
            "GraphDriver": ["Name": "hoist", "Data": NSNull()] as [String: Any],
            "Mounts": [Any](),
            "Config": config(imageConfig, image: container.image, hostname: container.shortID),
            "NetworkSettings": ["IPAddress": address, "Ports": ports, "Networks": [String: Any]()] as [String: Any],
        ]
    }
}
