public import HoistOCI
import HoistBackend
import HoistDockerfile

/// Applies a Dockerfile instruction to an image's run configuration, as
/// `docker import --change` and `docker commit --change` do: `CMD`, `ENTRYPOINT`, `ENV`,
/// `EXPOSE`, `LABEL`, `ONBUILD`, `STOPSIGNAL`, `USER`, `VOLUME`, `WORKDIR`.
public enum ConfigChange {
    /// The instructions a change may be.
    public static let allowed: Set<String> = ["cmd", "entrypoint", "env", "expose", "label", "onbuild", "stopsignal", "user", "volume", "workdir"]

    /// Applies `changes` in order, as one Dockerfile applied to the image: an `ENTRYPOINT`
    /// drops the command only when no `CMD` came before it among them (Docker's `cmdSet`).
    public static func apply(_ changes: [String], to config: inout ContainerConfig) throws {
        var commandSet = false
        for change in changes { try apply(change, to: &config, commandSet: &commandSet) }
    }

    private static func apply(_ change: String, to config: inout ContainerConfig, commandSet: inout Bool) throws {
        let tree: SyntaxTree
        do {
            tree = try DockerfileParser.parse(change, fileName: "--change")
        } catch {
            throw ClientError(.invalidArgument, "invalid --change \"\(change)\"", underlying: error)
        }
        guard tree.nodes.count == 1, let node = tree.nodes.first else {
            throw ClientError(.invalidArgument, "--change takes exactly one instruction, got \(tree.nodes.count) in \"\(change)\"")
        }
        let name = node.instructionName
        guard allowed.contains(name) else {
            throw ClientError(
                .invalidArgument,
                "--change \"\(change)\": \(node.keyword.uppercased()) is not allowed; use one of \(allowed.map { $0.uppercased() }.sorted().joined(separator: ", "))")
        }
        let lexer = ShellLex(escapeCharacter: tree.escapeCharacter)
        let environment = Self.environment(config.env ?? [])
        func expand(_ word: String) throws -> String {
            do {
                return try lexer.expand(word, environment: environment)
            } catch {
                throw ClientError(.invalidArgument, "--change \"\(change)\": \(error)")
            }
        }
        let arguments = node.stringArguments
        switch name {
        case "cmd":
            config.cmd = node.isJSON ? arguments : Self.shell(config) + [arguments.joined(separator: " ")]
            commandSet = true
        case "entrypoint":
            config.entrypoint = node.isJSON ? arguments : Self.shell(config) + [arguments.joined(separator: " ")]
            // As in a Dockerfile, a new entrypoint drops the command it inherited (not one set
            // by these changes).
            if !commandSet { config.cmd = nil }
        case "env":
            var env = config.env ?? []
            for pair in stride(from: 0, to: arguments.count - 2, by: 3) {
                let key = arguments[pair]
                let value = try expand(arguments[pair + 1])
                env.removeAll { $0.split(separator: "=", maxSplits: 1).first.map(String.init) == key }
                env.append("\(key)=\(value)")
            }
            config.env = env
        case "label":
            var labels = config.labels ?? [:]
            for pair in stride(from: 0, to: arguments.count - 2, by: 3) {
                labels[try expand(arguments[pair])] = try expand(arguments[pair + 1])
            }
            config.labels = labels
        case "expose":
            var ports = config.exposedPorts ?? []
            for word in arguments {
                let port = try expand(word)
                ports.insert(port.contains("/") ? port.lowercased() : "\(port)/tcp")
            }
            config.exposedPorts = ports
        case "volume":
            var volumes = config.volumes ?? []
            for word in arguments { volumes.insert(try expand(word)) }
            config.volumes = volumes
        case "user":
            config.user = try expand(arguments.first ?? "")
        case "workdir":
            let directory = try expand(arguments.first ?? "")
            let base = config.workingDir ?? "/"
            config.workingDir = directory.hasPrefix("/") ? directory : (base.hasSuffix("/") ? base : base + "/") + directory
        case "stopsignal":
            config.stopSignal = try expand(arguments.first ?? "")
        case "onbuild":
            let trigger = node.original.drop { !$0.isWhitespace }.drop { $0.isWhitespace }
            config.onBuild = (config.onBuild ?? []) + [String(trigger)]
        default:
            break
        }
    }

    private static func shell(_ config: ContainerConfig) -> [String] {
        config.shell ?? ["/bin/sh", "-c"]
    }

    private static func environment(_ entries: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }
}
