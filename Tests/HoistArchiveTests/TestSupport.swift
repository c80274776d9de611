import Foundation
import Glibc
import HoistOCI
import Testing

@testable import HoistArchive

/// A fresh directory under the system temp dir, removed by `remove()`.
final class TempDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("hoist-archive-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    /// Creates (with parents) and returns `path/name`.
    func directory(_ name: String) throws -> String {
        let full = path + "/" + name
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }

    deinit {
        // Read-only directories made by tests must be writable to be removed.
        _ = try? run("/bin/chmod", ["-R", "u+rwx", path])
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct ProcessResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program to completion, capturing its output; `stdin` is fed from a file if given.
@discardableResult
func run(_ executable: String, _ arguments: [String], stdinPath: String? = nil, check: Bool = true) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let stdinPath { process.standardInput = FileHandle(forReadingAtPath: stdinPath) }
    try process.run()
    // Read both pipes concurrently so a full stderr pipe cannot block the child.
    nonisolated(unsafe) var errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    let result = ProcessResult(
        status: process.terminationStatus, stdout: Array(outData), stderr: String(decoding: errData, as: UTF8.self))
    if check && result.status != 0 {
        throw TestFailure("\(executable) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
    }
    return result
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@discardableResult
func sh(_ script: String) throws -> ProcessResult {
    try run("/bin/sh", ["-c", script])
}

/// Builds a tar in memory from headers and contents.
func makeTar(_ entries: [(TarHeader, [UInt8])]) throws -> [UInt8] {
    var writer = TarWriter(MemoryByteSink())
    for (header, contents) in entries {
        if header.type == .regular {
            try writer.writeEntry(header, bytes: contents)
        } else {
            try writer.writeEntry(header)
        }
    }
    try writer.finish()
    return writer.sink.bytes
}

func file(_ name: String, _ text: String, mode: UInt32 = 0o644) -> (TarHeader, [UInt8]) {
    (TarHeader(name: name, type: .regular, mode: mode, size: Int64(text.utf8.count), modificationTime: .init(seconds: 1_600_000_000)), Array(text.utf8))
}

func dir(_ name: String, mode: UInt32 = 0o755) -> (TarHeader, [UInt8]) {
    (TarHeader(name: name, type: .directory, mode: mode, modificationTime: .init(seconds: 1_600_000_000)), [])
}

func symlink(_ name: String, to target: String) -> (TarHeader, [UInt8]) {
    (TarHeader(name: name, type: .symbolicLink, mode: 0o777, modificationTime: .init(seconds: 1_600_000_000), linkName: target), [])
}

func hardlink(_ name: String, to target: String) -> (TarHeader, [UInt8]) {
    (TarHeader(name: name, type: .hardLink, mode: 0o644, modificationTime: .init(seconds: 1_600_000_000), linkName: target), [])
}

/// Reads every entry of a tar: headers and contents.
func readTar(_ bytes: [UInt8]) throws -> [(TarHeader, [UInt8])] {
    var reader = TarReader(MemoryByteSource(bytes))
    var result: [(TarHeader, [UInt8])] = []
    while let header = try reader.next() {
        result.append((header, try reader.readContents()))
    }
    return result
}

func readFile(_ path: String) throws -> [UInt8] {
    var source = try FileByteSource(path: path)
    return try source.readAll()
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    var sink = try FileByteSink(path: path)
    try sink.write(bytes)
    try sink.close()
}

func exists(_ path: String) -> Bool {
    var st = stat()
    return lstat(path, &st) == 0
}

/// One file as seen by tests comparing trees.
struct TreeEntry: Equatable, CustomStringConvertible {
    var kind: String
    var mode: UInt32
    var uid: Int
    var gid: Int
    var size: Int64
    var content: String
    var link: String
    var mtime: String

    var description: String {
        "\(kind) mode=\(String(mode, radix: 8)) uid=\(uid) gid=\(gid) size=\(size) content=\(content.prefix(19)) link=\(link) mtime=\(mtime)"
    }
}

/// Every path under `root` (relative) with its type, mode, owner, size, content digest and
/// link target; directory mtimes included only if `directoryTimes`.
func snapshot(_ root: String, times: Bool = true, skipping: Set<String> = []) throws -> [String: TreeEntry] {
    var result: [String: TreeEntry] = [:]
    func walk(_ relative: String) throws {
        let path = relative.isEmpty ? root : root + "/" + relative
        for name in try FileSystem.list(path) {
            let childRelative = relative.isEmpty ? name : relative + "/" + name
            if skipping.contains(childRelative) { continue }
            let childPath = path + "/" + name
            guard let info = try FileSystem.info(childPath) else { continue }
            var entry = TreeEntry(
                kind: "\(info.kind)", mode: info.permissions, uid: info.uid, gid: info.gid, size: 0, content: "", link: "",
                mtime: times ? info.modificationTime.description : "")
            switch info.kind {
            case .regular:
                entry.size = info.size
                entry.content = Digest(of: try readFile(childPath)).encoded
            case .symbolicLink:
                entry.link = try FileSystem.readLink(childPath)
                entry.mode = 0
                entry.mtime = ""
            case .characterDevice, .blockDevice:
                entry.link = "\(info.deviceMajor):\(info.deviceMinor)"
            case .directory:
                try walk(childRelative)
            default: break
            }
            result[childRelative] = entry
        }
    }
    try walk("")
    return result
}

/// A readable list of differences between two snapshots, empty if equal.
func differences(_ expected: [String: TreeEntry], _ actual: [String: TreeEntry]) -> [String] {
    var lines: [String] = []
    for key in Set(expected.keys).union(actual.keys).sorted() {
        switch (expected[key], actual[key]) {
        case (let e?, let a?) where e != a: lines.append("\(key): expected \(e), got \(a)")
        case (_?, nil): lines.append("\(key): missing")
        case (nil, let a?): lines.append("\(key): unexpected \(a)")
        default: break
        }
    }
    return lines
}

let isRoot = geteuid() == 0

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
}

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var generator = SeededGenerator(seed: seed)
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}
