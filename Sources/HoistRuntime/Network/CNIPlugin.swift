public import Foundation
public import HoistOCI

/// One run of a CNI plugin executable, as the CNI specification's exec protocol defines it: the
/// verb and the container's identity in `CNI_*` environment variables, the plugin's network
/// configuration on stdin, a result (or a CNI error object) on stdout.
public struct CNIPlugin: Sendable {
    /// The verbs Hoist uses.
    public enum Command: String, Sendable {
        case add = "ADD"
        case delete = "DEL"
        case check = "CHECK"
    }

    /// Directories searched for plugin executables (`CNI_PATH`): `HOIST_CNI_PATH` when set,
    /// else Debian's `/usr/lib/cni` and the upstream `/opt/cni/bin`.
    public static var searchPath: [String] {
        if let custom = ProcessInfo.processInfo.environment["HOIST_CNI_PATH"], !custom.isEmpty {
            return custom.split(separator: ":").map(String.init)
        }
        return ["/usr/lib/cni", "/opt/cni/bin"]
    }

    /// The plugin's type (`bridge`, `portmap` …): its executable's name.
    public var type: String
    public var searchPath: [String]

    public init(type: String, searchPath: [String] = CNIPlugin.searchPath) {
        self.type = type
        self.searchPath = searchPath
    }

    /// The plugin's executable, or `unavailable` naming the package that brings it.
    public func executable() throws -> String {
        guard !type.contains("/"), !type.isEmpty else { throw RuntimeError(.invalidArgument, "bad CNI plugin type \"\(type)\"") }
        for directory in searchPath {
            let path = directory + "/" + type
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw RuntimeError(
            .unavailable,
            "CNI plugin \"\(type)\" not found in \(searchPath.joined(separator: ":")) (install containernetworking-plugins, or set HOIST_CNI_PATH)")
    }

    /// Runs the plugin with `configuration` (one plugin's JSON, as the runtime hands it over)
    /// for the container `containerID` whose network namespace is at `namespace`; returns what
    /// it printed (the result of ADD, nothing for DEL and CHECK). A failing plugin's CNI error
    /// (`{"code":…,"msg":…,"details":…}`) becomes the message of the thrown `failedPrecondition`.
    public func run(
        _ command: Command, configuration: JSONValue, containerID: String, namespace: String, interface: String,
        arguments: [String: String] = [:]
    ) async throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let input = try encoder.encode(configuration)
        var process = ExternalProcess(try executable())
        var environment = ProcessInfo.processInfo.environment
        environment["CNI_COMMAND"] = command.rawValue
        environment["CNI_CONTAINERID"] = containerID
        environment["CNI_NETNS"] = namespace
        environment["CNI_IFNAME"] = interface
        environment["CNI_PATH"] = searchPath.joined(separator: ":")
        environment["CNI_ARGS"] = arguments.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
        process.environment = environment
        process.standardInput = .data(input)
        let termination = try await process.run()
        guard termination.status == .exited(0) else {
            throw RuntimeError(
                .failedPrecondition,
                "CNI plugin \(type) \(command.rawValue) for \(containerID) failed: "
                    + Self.errorMessage(stdout: termination.standardOutput, stderr: termination.errorText, status: termination.status))
        }
        return termination.standardOutput
    }

    /// A plugin's failure for a human: the CNI error object's `msg` and `details`, else its
    /// stderr, else how it ended.
    static func errorMessage(stdout: Data, stderr: String, status: ExitStatus) -> String {
        if let object = try? JSONDecoder().decode(JSONValue.self, from: stdout).objectValue {
            let message = object["msg"]?.stringValue ?? ""
            let details = object["details"]?.stringValue ?? ""
            let text = [message, details].filter { !$0.isEmpty }.joined(separator: ": ")
            if !text.isEmpty { return text }
        }
        let trimmed = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "\(status)" : trimmed
    }
}
