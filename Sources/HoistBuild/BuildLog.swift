package import Logging

/// The build's debug loggers (`hoist --debug`, `HOIST_DEBUG=1`): the solver's cache decisions
/// and the worker's steps. Silent unless the program bootstraps swift-log with a handler at
/// `.debug`; a message is not even formatted when its level is off.
package enum BuildLog {
    package static let solver = Logger(label: "hoist.solver")
    package static let worker = Logger(label: "hoist.worker")
}
