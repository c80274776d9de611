import Foundation
import Logging

/// `hoist --debug` (or `HOIST_DEBUG=1`): the libraries' loggers — `hoist.solver`,
/// `hoist.worker`, `hoist.runtime`, `hoist.registry` — written to stderr at debug level;
/// otherwise nothing, at no cost beyond a level check per message.
enum DebugLogging {
    static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let value = environment["HOIST_DEBUG"] ?? ""
        let enabled = !value.isEmpty && value != "0" && value.lowercased() != "false"
        LoggingSystem.bootstrap { label in
            guard enabled else { return SwiftLogNoOpLogHandler() }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .debug
            return handler
        }
    }
}
