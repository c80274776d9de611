import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import HoistOCI

/// A connection to a containerd daemon over its gRPC API, every request made in
/// ``ContainerdAddress/namespace``. The connection is opened on first use and closed by
/// ``close()`` or when the client is released.
///
/// Each service has its own extension: namespaces, content, images, leases, snapshots, diff,
/// containers and tasks. Errors are ``ContainerdError`` with the daemon's message.
public final class ContainerdClient: Sendable {
    public let address: ContainerdAddress
    let grpc: GRPCClient<Transport>

    /// HTTP/2 on the daemon's unix socket.
    typealias Transport = HTTP2ClientTransport.Posix

    /// Connects to the daemon at `address`; `unavailable` when its socket is absent or this
    /// process may not use it.
    public init(_ address: ContainerdAddress = .fromEnvironment()) throws {
        if let problem = address.socketProblem() { throw ContainerdError(.unavailable, problem) }
        self.address = address
        // The authority is a name, not the socket's path, as containerd's own clients send it.
        let transport = try HTTP2ClientTransport.Posix(
            target: .unixDomainSocket(path: address.socketPath, authority: "localhost"), transportSecurity: .plaintext)
        grpc = GRPCClient(transport: transport)
        Task { [grpc] in try? await grpc.runConnections() }
    }

    deinit { grpc.beginGracefulShutdown() }

    /// Lets requests under way finish, then closes the connection.
    public func close() { grpc.beginGracefulShutdown() }

    /// The headers of a request: the namespace, and the lease that keeps what it makes from
    /// garbage collection until the lease goes.
    func metadata(lease: String? = nil) -> Metadata {
        var metadata = Metadata()
        metadata.addString(address.namespace, forKey: "containerd-namespace")
        if let lease { metadata.addString(lease, forKey: "containerd-lease") }
        return metadata
    }

    /// Runs one call, turning gRPC's errors into ``ContainerdError`` with the daemon's message.
    func call<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as RPCError {
            throw ContainerdError(Self.code(for: error.code), error.message, underlying: error.cause)
        } catch let error as RuntimeError {
            throw ContainerdError(.unavailable, "cannot talk to containerd at \(address.socketPath): \(error.message)", underlying: error.cause)
        }
    }

    /// containerd's errdefs travel as gRPC codes.
    static func code(for code: RPCError.Code) -> ErrorCode {
        switch code {
        case .notFound: .notFound
        case .alreadyExists: .alreadyExists
        case .invalidArgument, .outOfRange: .invalidArgument
        case .failedPrecondition, .permissionDenied, .unauthenticated, .aborted, .resourceExhausted: .failedPrecondition
        case .unimplemented: .unsupported
        case .unavailable, .deadlineExceeded: .unavailable
        case .cancelled: .cancelled
        case .dataLoss: .dataLoss
        default: .internal
        }
    }
}
