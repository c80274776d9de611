package import Logging

/// The registry client's debug logger (`hoist --debug`): each request, its status and time.
package enum RegistryLog {
    package static let registry = Logger(label: "hoist.registry")
}
