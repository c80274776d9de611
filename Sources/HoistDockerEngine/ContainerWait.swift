import AsyncHTTPClient
import Foundation
import NIOFoundationCompat

/// A wait the daemon has taken on for one container (``EngineClient/beginWait(_:condition:)``):
/// its answer's body comes when the container ends.
public struct ContainerWait: Sendable {
    let id: String
    let response: HTTPClientResponse

    /// The container's exit code, once it has ended.
    public func exitCode() async throws -> Int32 {
        let data = try await EngineClient.collect(response, limit: 1 << 20)
        let answer: WaitAnswer
        do {
            answer = try JSONDecoder().decode(WaitAnswer.self, from: data)
        } catch {
            throw EngineError(.dataLoss, "the daemon's answer to a wait for container \(id) cannot be read", underlying: error)
        }
        if let message = answer.error?.message, !message.isEmpty {
            throw EngineError(.failedPrecondition, "waiting for container \(id) failed: \(message)")
        }
        return answer.statusCode
    }
}
