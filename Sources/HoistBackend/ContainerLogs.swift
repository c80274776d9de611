public import Foundation

/// What a kept container wrote, each stream in its order (`hoist logs`).
public struct ContainerLogs: Sendable, Hashable {
    public var standardOutputData: Data
    public var standardErrorData: Data

    public var standardOutput: String { String(decoding: standardOutputData, as: UTF8.self) }
    public var standardError: String { String(decoding: standardErrorData, as: UTF8.self) }

    package init(standardOutputData: Data, standardErrorData: Data) {
        self.standardOutputData = standardOutputData
        self.standardErrorData = standardErrorData
    }
}
