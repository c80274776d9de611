import ArgumentParser
import Foundation

/// Docker's global options, written before the verb (`hoist --backend docker run …`, as
/// `docker -H tcp://… run …`): taken off the command line into the environment variables that
/// every command's own options default to, so they mean the same before or after the verb.
///
/// | before the verb            | sets              |
/// |----------------------------|-------------------|
/// | `--backend NAME`           | `HOIST_BACKEND`   |
/// | `--root DIR`               | `HOIST_ROOT`      |
/// | `-H`, `--host URL`         | `DOCKER_HOST`, and the docker backend unless one is named |
/// | `--config DIR`             | `DOCKER_CONFIG` (credentials, as Docker's client reads them) |
/// | `-D`, `--debug`            | `HOIST_DEBUG=1` (debug logs on stderr, see ``DebugLogging``) |
enum LeadingGlobalOptions {
    private static let variables = ["--backend": "HOIST_BACKEND", "--root": "HOIST_ROOT", "--host": "DOCKER_HOST", "-H": "DOCKER_HOST",
                                    "--config": "DOCKER_CONFIG"]

    /// The arguments after the leading global options, having set their variables in
    /// `environment`; throws a usage error for an option without its value.
    static func take(_ arguments: [String], into environment: inout [String: String]) throws(ValidationError) -> [String] {
        var rest = arguments[...]
        var namedBackend = false
        var namedHost = false
        while let argument = rest.first, argument.hasPrefix("-") {
            if argument == "-D" || argument == "--debug" {
                rest.removeFirst()
                environment["HOIST_DEBUG"] = "1"
                continue
            }
            let (name, inlineValue) = split(argument)
            guard let variable = variables[name] else { break }
            rest.removeFirst()
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard let next = rest.first else { throw ValidationError("option \(name) needs a value") }
                value = next
                rest.removeFirst()
            }
            environment[variable] = value
            if variable == "HOIST_BACKEND" { namedBackend = true }
            if variable == "DOCKER_HOST" { namedHost = true }
        }
        // A Docker host named on the command line means the Docker backend.
        if namedHost && !namedBackend { environment["HOIST_BACKEND"] = "docker" }
        return Array(rest)
    }

    /// `--name=value` → (`--name`, `value`); anything else → (itself, nil).
    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}
