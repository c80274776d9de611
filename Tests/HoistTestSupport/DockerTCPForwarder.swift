public import Foundation

/// The local Docker daemon reached over TCP: a forwarder on 127.0.0.1 and a free port to its
/// unix socket, so tests see the docker backend as it works with a remote engine
/// (`DOCKER_HOST=tcp://…`). Half-closes pass through, as attaching with input needs. Stopped
/// when released.
public final class DockerTCPForwarder: Sendable {
    /// `tcp://127.0.0.1:PORT`, for `DOCKER_HOST`.
    public let dockerHost: String
    public let server: ServerProcess

    private static let program = """
        import asyncio, sys
        port, path = int(sys.argv[1]), sys.argv[2]

        async def pipe(reader, writer):
            try:
                while True:
                    data = await reader.read(65536)
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
            finally:
                try:
                    writer.write_eof()
                except Exception:
                    pass

        async def handle(client_reader, client_writer):
            daemon_reader, daemon_writer = await asyncio.open_unix_connection(path)
            await asyncio.gather(pipe(client_reader, daemon_writer), pipe(daemon_reader, client_writer), return_exceptions=True)
            client_writer.close()
            daemon_writer.close()

        async def main():
            server = await asyncio.start_server(handle, "127.0.0.1", port)
            async with server:
                await server.serve_forever()

        asyncio.run(main())
        """

    /// Starts a forwarder to `socket`, its program and log in `directory`.
    public init(in directory: URL, socket: String = "/var/run/docker.sock") throws {
        let port = try FreePort.next()
        let script = directory.appendingPathComponent("docker-forwarder.py")
        try Data(Self.program.utf8).write(to: script)
        server = try ServerProcess(
            name: "docker TCP forwarder", arguments: ["python3", script.path, String(port), socket], port: port,
            logFile: directory.appendingPathComponent("docker-forwarder.log"))
        dockerHost = "tcp://127.0.0.1:\(port)"
    }
}
