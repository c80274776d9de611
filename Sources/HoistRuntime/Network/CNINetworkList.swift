public import Foundation
public import HoistOCI

/// A CNI network configuration list (a `.conflist`): a network's name, its CNI version and the
/// chain of plugins that attach a container to it. Hoist is the runtime here: it hands each
/// plugin its part of the list with the list's `name` and `cniVersion`, the previous plugin's
/// result as `prevResult`, and the runtime values the plugin declared it takes in `capabilities`
/// under `runtimeConfig` — ADD and CHECK in order, DEL in reverse order with the ADD's result.
public struct CNINetworkList: Sendable, Hashable, Codable {
    public var cniVersion: String
    public var name: String
    /// Each plugin's configuration object (`type` and its own keys).
    public var plugins: [JSONValue]

    public init(cniVersion: String = "1.0.0", name: String, plugins: [JSONValue]) {
        self.cniVersion = cniVersion
        self.name = name
        self.plugins = plugins
    }

    /// Where and as what a container is attached.
    public struct Target: Sendable, Hashable, Codable {
        public var containerID: String
        /// The network namespace's path.
        public var namespace: String
        /// The interface inside it (`eth0`).
        public var interface: String
        /// Values offered to plugins that declare the capability (`portMappings` …).
        public var runtimeConfig: [String: JSONValue]
        /// `CNI_ARGS` (`IP=…` for a fixed address with host-local).
        public var arguments: [String: String]

        public init(
            containerID: String, namespace: String, interface: String = "eth0", runtimeConfig: [String: JSONValue] = [:],
            arguments: [String: String] = [:]
        ) {
            self.containerID = containerID
            self.namespace = namespace
            self.interface = interface
            self.runtimeConfig = runtimeConfig
            self.arguments = arguments
        }
    }

    /// Runs ADD through the chain and returns the last plugin's result. When a plugin fails,
    /// DEL runs over the plugins already added (the spec's rule for a failed ADD) before the
    /// error is thrown.
    public func add(_ target: Target, searchPath: [String] = CNIPlugin.searchPath) async throws -> JSONValue {
        var previous: JSONValue?
        for (index, plugin) in plugins.enumerated() {
            do {
                let output = try await CNIPlugin(type: try Self.type(of: plugin), searchPath: searchPath).run(
                    .add, configuration: configuration(plugin, previous: previous, target: target),
                    containerID: target.containerID, namespace: target.namespace, interface: target.interface,
                    arguments: target.arguments)
                previous = try Self.decodeResult(output, plugin: plugin)
            } catch {
                try? await CNINetworkList(cniVersion: cniVersion, name: name, plugins: Array(plugins.prefix(index + 1)))
                    .delete(target, result: previous, searchPath: searchPath)
                throw error
            }
        }
        guard let previous else { throw RuntimeError(.invalidArgument, "CNI network \(name) has no plugins") }
        return previous
    }

    /// Runs DEL through the chain in reverse order, each plugin given the ADD's `result` when
    /// known. Every plugin runs even when one fails (so what can be released is); the first
    /// failure is thrown afterwards.
    public func delete(_ target: Target, result: JSONValue?, searchPath: [String] = CNIPlugin.searchPath) async throws {
        var failure: (any Error)?
        for plugin in plugins.reversed() {
            do {
                _ = try await CNIPlugin(type: try Self.type(of: plugin), searchPath: searchPath).run(
                    .delete, configuration: configuration(plugin, previous: result, target: target),
                    containerID: target.containerID, namespace: target.namespace, interface: target.interface,
                    arguments: target.arguments)
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
    }

    /// Runs CHECK through the chain in order with the ADD's `result`: throws when a plugin finds
    /// the attachment not as it left it.
    public func check(_ target: Target, result: JSONValue, searchPath: [String] = CNIPlugin.searchPath) async throws {
        for plugin in plugins {
            _ = try await CNIPlugin(type: try Self.type(of: plugin), searchPath: searchPath).run(
                .check, configuration: configuration(plugin, previous: result, target: target),
                containerID: target.containerID, namespace: target.namespace, interface: target.interface,
                arguments: target.arguments)
        }
    }

    /// The JSON one plugin reads on stdin.
    func configuration(_ plugin: JSONValue, previous: JSONValue?, target: Target) -> JSONValue {
        var object = plugin.objectValue ?? [:]
        object["cniVersion"] = .string(cniVersion)
        object["name"] = .string(name)
        if let previous { object["prevResult"] = previous }
        let declared = object["capabilities"]?.objectValue ?? [:]
        var runtime: [String: JSONValue] = [:]
        for (key, value) in target.runtimeConfig where declared[key] == .bool(true) { runtime[key] = value }
        if !runtime.isEmpty { object["runtimeConfig"] = .object(runtime) }
        return .object(object)
    }

    static func type(of plugin: JSONValue) throws -> String {
        guard let type = plugin.objectValue?["type"]?.stringValue else {
            throw RuntimeError(.invalidArgument, "a CNI plugin configuration has no \"type\"")
        }
        return type
    }

    static func decodeResult(_ output: Data, plugin: JSONValue) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: output)
        } catch {
            let type = (try? Self.type(of: plugin)) ?? "?"
            throw RuntimeError(.dataLoss, "CNI plugin \(type) printed no JSON result", underlying: error)
        }
    }
}
