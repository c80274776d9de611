public import Foundation

/// The small init `docker run --init` puts at PID 1: it starts the command, passes it the
/// signals it gets and reaps the orphans that end up as its children. Hoist takes the
/// distribution's, tini or catatonit, bound read-only at Docker's path, so it must be linked
/// statically to run in any image.
public enum ContainerInit {
    /// Where the container sees it (Docker's `/sbin/docker-init`).
    public static let containerPath = "/sbin/docker-init"

    /// The programs looked for on PATH, in this order; each takes `-- COMMAND…`.
    public static let candidates = ["tini-static", "catatonit", "tini", "docker-init"]

    /// The first statically linked candidate on PATH; `notFound` naming what to install when
    /// there is none.
    public static func find(path: String? = ProcessInfo.processInfo.environment["PATH"]) throws -> String {
        let directories = (path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":")
        for name in candidates {
            for directory in directories {
                let file = URL(fileURLWithPath: String(directory)).appendingPathComponent(name).resolvingSymlinksInPath().path
                if FileManager.default.isExecutableFile(atPath: file), isStatic(file) { return file }
            }
        }
        throw RuntimeError(
            .notFound,
            "--init needs a statically linked tini or catatonit on PATH (\(candidates.joined(separator: ", "))): install the tini or catatonit package")
    }

    /// Whether the ELF file at `path` names no program interpreter (no PT_INTERP header), so
    /// runs without the host's libraries.
    static func isStatic(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 64), header.count == 64,
            header.prefix(4) == Data([0x7f, 0x45, 0x4c, 0x46]), header[4] == 2, header[5] == 1
        else { return false }
        func integer(_ data: Data, _ offset: Int, _ size: Int) -> UInt64 {
            (0..<size).reduce(UInt64(0)) { $0 | UInt64(data[data.startIndex + offset + $1]) << (8 * UInt64($1)) }
        }
        let tableOffset = integer(header, 0x20, 8)
        let entrySize = Int(integer(header, 0x36, 2))
        let count = Int(integer(header, 0x38, 2))
        guard entrySize >= 4, count > 0, (try? handle.seek(toOffset: tableOffset)) != nil,
            let table = try? handle.read(upToCount: entrySize * count), table.count == entrySize * count
        else { return false }
        let interpreter: UInt64 = 3
        return !(0..<count).contains { integer(table, $0 * entrySize, 4) == interpreter }
    }
}
