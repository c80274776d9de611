public import Foundation
public import HoistRuntime

/// One setting of a container made by ``Image/instantiate(_:)``.
public enum ContainerOption: Sendable {
    /// The command, exec form (replaces the image's CMD).
    case command([String])
    /// The command as one shell string, run with `/bin/sh -c`.
    case shell(String)
    /// The command as one shell string run by a shell of one's choice: `shell` is the program
    /// and its leading arguments, the script comes last, as a Dockerfile's `SHELL` takes them.
    /// Written ``shell(_:_:)``.
    case shellCommand(shell: [String], script: String)
    /// Replaces the image's ENTRYPOINT; an empty array clears it.
    case entrypoint([String])
    /// Environment variables added to the image's.
    case environment([String: String])
    /// A host path at a container path.
    case volume(host: String, container: String, readOnly: Bool)
    /// A new anonymous volume at a container path (`-v /path`), filled from the image there;
    /// ``Container/remove(force:volumes:)`` with `volumes` removes it.
    case anonymousVolume(String)
    case workingDirectory(String)
    /// `name`, `uid`, `uid:gid` or `name:group`.
    case user(String)
    /// Share the host's network (`--network host`).
    case hostNetwork
    /// The network to join: `none`, `host`, `bridge` (the default), or a network made with
    /// ``Client/createNetwork(_:subnet:internal:labels:)``, whose members reach each other by name.
    case network(String)
    /// Forward host port `hostPort` (0: a free one) to the container's `containerPort` over TCP
    /// (`-p HOST:CONTAINER`); see ``ContainerSummary/ports`` for the port chosen.
    case publish(UInt16, to: UInt16)
    /// Forward ports as `-p` spells them (`127.0.0.1:8080:80/udp`, ranges).
    case publishSpecification(String)
    /// Publish every port the image EXPOSEs on a free host port (`-P`).
    case publishAllExposedPorts
    /// Another name other members of a user network reach the container by.
    case networkAlias(String)
    /// A line in /etc/hosts (`--add-host NAME:IP`).
    case addHost(name: String, address: String)
    /// A nameserver replacing the host's (`--dns`).
    case dns(String)
    /// A search domain replacing the host's (`--dns-search`).
    case dnsSearch(String)
    /// Bytes fed to the container's standard input.
    case standardInput(Data)
    /// A memory limit in bytes; the kernel kills the container beyond it.
    case memory(Int64)
    /// CPU time as a number of CPUs (`0.5` is half of one).
    case cpus(Double)
    /// The most processes the container may have.
    case pidsLimit(Int64)
    /// A capability added to Docker's default set (`NET_ADMIN`, `ALL` …).
    case capabilityAdded(String)
    /// A capability dropped from it.
    case capabilityDropped(String)
    /// The root file system cannot be written.
    case readOnlyRootFilesystem
    /// The name of the kept container (``Container/start()``); made up when not given.
    case name(String)
    /// A `--security-opt` value: `seccomp=unconfined|FILE`, `no-new-privileges`, `apparmor=PROFILE`.
    case securityOption(String)
    /// Every capability and device, no seccomp filter (`--privileged`).
    case privileged
    /// The container's hostname (default: the first 12 characters of its ID).
    case hostname(String)
    /// A small init as PID 1 that passes on signals and reaps orphans (`--init`).
    case initProcess
    /// An empty tmpfs at the path (`--tmpfs`).
    case tmpfs(String)
    /// A label on the kept container (`--label`).
    case label(String, String)
    /// When the monitor of a kept container starts it again (`--restart`).
    case restart(RestartPolicy)

    /// `script` run by `shell` (its program and leading arguments), as a Dockerfile's `SHELL`
    /// runs shell-form commands: `.shell(["/bin/bash", "-c"], "set -o pipefail; make | tee log")`
    /// runs `/bin/bash -c "set -o pipefail; make | tee log"`. An empty `shell` is an
    /// `invalidArgument` error when the container is made.
    public static func shell(_ shell: [String], _ script: String) -> ContainerOption {
        .shellCommand(shell: shell, script: script)
    }
}
