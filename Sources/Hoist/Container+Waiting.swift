#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import HoistRuntime

extension Container {
    /// Waits until `strategy` says the started container is ready, checking every 100 ms.
    /// Throws ``ContainerError`` (`wait`): `unavailable` with its output when it ends first
    /// (but for ``WaitStrategy/exit``), `cancelled` when `timeout` passes or the task is cancelled.
    public func waitUntil(_ strategy: WaitStrategy, timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            try Task.checkCancellation()
            let summary = try await inspect()
            switch strategy {
            case .exit:
                if case .exited = summary.state { return }
            case .logLine(let text):
                let logs = try await logs()
                if (logs.standardOutput + "\n" + logs.standardError).split(separator: "\n").contains(where: { $0.contains(text) }) { return }
            case .tcpPort(let port):
                if let endpoint = Self.endpoint(summary, port: port), Self.connects(endpoint) { return }
            case .http(let path, let port, let status):
                if let endpoint = Self.endpoint(summary, port: port), Self.httpStatus(endpoint, path: path) == status { return }
            }
            if case .exited(let code) = summary.state, strategy != .exit {
                let logs = try? await logs()
                throw ContainerError(
                    .wait, .unavailable,
                    "the container ended (exit \(code)) before \(strategy): \(logs?.standardError ?? "")\(logs?.standardOutput ?? "")")
            }
            guard clock.now < deadline else {
                throw ContainerError(.wait, .cancelled, "the container was not ready (\(strategy)) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Where the host reaches the container's `port`: its published port on the host's loopback
    /// (or the address it is bound on), else the container's own address on its network.
    static func endpoint(_ summary: ContainerSummary, port: UInt16) -> (address: IPv4Address, port: UInt16)? {
        if let mapping = summary.ports.first(where: { $0.containerPort == port && $0.transport == .tcp && $0.hostPort != 0 }) {
            return (mapping.hostAddress ?? IPv4Address("127.0.0.1")!, mapping.hostPort)
        }
        return summary.networkAddress.map { ($0, port) }
    }

    /// Whether a TCP connection to `endpoint` is accepted within a second.
    static func connects(_ endpoint: (address: IPv4Address, port: UInt16)) -> Bool {
        let socket = connectedSocket(endpoint)
        if socket >= 0 { close(socket) }
        return socket >= 0
    }

    /// The status code of `GET path` on `endpoint`, or nil when there is no HTTP answer.
    static func httpStatus(_ endpoint: (address: IPv4Address, port: UInt16), path: String) -> Int? {
        let socket = connectedSocket(endpoint)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        let request = "GET \(path) HTTP/1.0\r\nHost: \(endpoint.address):\(endpoint.port)\r\nConnection: close\r\n\r\n"
        let sent = request.utf8CString.withUnsafeBufferPointer { send(socket, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) }
        guard sent == request.utf8.count else { return nil }
        var answer = Data()
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !answer.contains(UInt8(ascii: "\n")), answer.count < 8192 {
            let count = recv(socket, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            answer.append(contentsOf: buffer[0..<count])
        }
        // "HTTP/1.x NNN Reason"
        let line = String(decoding: answer.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
        return Int(parts[1])
    }

    /// A socket connected to `endpoint` with one-second timeouts, or -1.
    private static func connectedSocket(_ endpoint: (address: IPv4Address, port: UInt16)) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = endpoint.port.bigEndian
        address.sin_addr = in_addr(s_addr: endpoint.address.value.bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return -1
        }
        return fd
    }
}
