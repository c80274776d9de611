public import Foundation
import NIOCore
import NIOPosix
import NIOSSL

extension EngineClient {
    /// Attaches to the standard streams of created container `id` (`POST /containers/{id}/attach`
    /// on a connection the daemon hijacks), then calls `whenAttached` (which starts the
    /// container: attached first, no output is missed), writes `standardInput` and closes it
    /// (the container must have been created with ``EngineContainerConfig/openStdin`` and
    /// ``EngineContainerConfig/stdinOnce`` for that), and hands each output frame to `output`
    /// until the container's streams end.
    ///
    /// Throws ``EngineError`` with the daemon's message when it refuses the attach.
    public func attach(
        _ id: String, standardInput: Data?, output: (EngineStream, Data) throws -> Void,
        whenAttached: @Sendable () async throws -> Void
    ) async throws {
        var query = "stream=1&stdout=1&stderr=1"
        if standardInput != nil { query += "&stdin=1" }
        let request = "POST /v\(apiVersion)/containers/\(id)/attach?\(query) HTTP/1.1\r\n"
            + "Host: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n"
        let channel = try await rawConnection()
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var responses = inbound.makeAsyncIterator()
            var received = Data()
            var headerEnd: Range<Data.Index>?
            while headerEnd == nil {
                guard let chunk = try await responses.next() else {
                    throw EngineError(.unavailable, "the daemon closed the connection before answering the attach of \(id)")
                }
                received.append(contentsOf: chunk.readableBytesView)
                headerEnd = received.range(of: Data("\r\n\r\n".utf8))
            }
            let head = String(decoding: received[..<headerEnd!.lowerBound], as: UTF8.self)
            var rest = Data(received[headerEnd!.upperBound...])
            let status = head.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
            guard status == 101 || status == 200 else {
                // An error answer is small and ends the connection: read it all for the message.
                while let chunk = try await responses.next() { rest.append(contentsOf: chunk.readableBytesView) }
                let message = (try? JSONDecoder().decode(DaemonMessage.self, from: rest).message)
                    ?? String(decoding: rest, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw EngineError(EngineError.code(forStatus: status), message.isEmpty ? "the daemon answered \(status)" : message, status: status)
            }
            var decoder = MultiplexedStreamDecoder()
            for frame in try decoder.feed(rest) { try output(frame.stream, frame.payload) }
            try await whenAttached()
            if let standardInput {
                if !standardInput.isEmpty { try await outbound.write(ByteBuffer(data: standardInput)) }
                // Half-closing the connection is the end of the container's input.
                outbound.finish()
            }
            while let chunk = try await responses.next() {
                for frame in try decoder.feed(Data(chunk.readableBytesView)) { try output(frame.stream, frame.payload) }
            }
            try decoder.finish()
        }
    }

    /// A plain connection to the daemon, for a request whose connection the daemon takes over.
    private func rawConnection() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let tls = try host.tlsCertificates.map { try NIOSSLContext(configuration: try Self.tlsConfiguration(certificates: $0)) }
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        // SNI takes a name, never an address.
        let serverName: String? = if case .tcp(let hostname, _) = host.endpoint, hostname.contains(where: \.isLetter) { hostname } else { nil }
        let wrap: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls {
                    let handler = try NIOSSLClientHandler(context: tls, serverHostname: serverName)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
                return try NIOAsyncChannel(
                    wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
            }
        }
        do {
            switch host.endpoint {
            case .unix(let path): return try await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: wrap)
            case .tcp(let hostname, let port): return try await bootstrap.connect(host: hostname, port: port, channelInitializer: wrap)
            }
        } catch {
            throw EngineError(.unavailable, Self.unreachable(host), underlying: error)
        }
    }
}
