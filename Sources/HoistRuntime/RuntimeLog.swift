package import Logging

/// The runtime's debug logger (`hoist --debug`): each OCI runtime command line it runs.
package enum RuntimeLog {
    package static let runtime = Logger(label: "hoist.runtime")
}
