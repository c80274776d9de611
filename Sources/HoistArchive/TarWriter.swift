/// Writes a tar stream: ustar headers, with a PAX extended header before any entry whose
/// metadata does not fit ustar (long or non-ASCII names, large ids or sizes, sub-second
/// times, long user/group names, xattrs).
///
/// Output is deterministic: the same headers and contents give the same bytes (PAX records are
/// sorted by key; no atime/ctime records are written).
///
/// ```swift
/// var writer = TarWriter(try FileByteSink(path: "out.tar"))
/// var contents = MemoryByteSource(Array("hi\n".utf8))
/// try writer.writeEntry(TarHeader(name: "hello", size: 3), contents: &contents)
/// try writer.finish()
/// try writer.sink.close()
/// ```
public struct TarWriter<Sink: ByteSink> {
    /// The stream written to. ``finish()`` does not close it.
    public private(set) var sink: Sink
    private let buffer = ByteBuffer(capacity: 1 << 20)
    private var finished = false

    public init(_ sink: Sink) {
        self.sink = sink
    }

    /// Writes an entry whose contents (exactly `header.size` bytes for a regular file) come
    /// from `contents`. Throws `dataLoss` if `contents` ends early, `invalidArgument` if it
    /// holds more or if the header cannot be encoded.
    public mutating func writeEntry(_ header: TarHeader, contents: inout some ByteSource) throws {
        try writeHeader(header)
        guard header.type == .regular, header.size > 0 else { return }
        var left = header.size
        while left > 0 {
            let chunk = Int(min(left, Int64(buffer.count)))
            let n = try contents.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.pointer[..<chunk]))
            guard n > 0 else {
                throw ArchiveError(
                    .dataLoss, "contents ended \(left) bytes short of the declared size \(header.size)", path: header.name)
            }
            try sink.write(UnsafeRawBufferPointer(rebasing: buffer.pointer[..<n]))
            left -= Int64(n)
        }
        var probe: UInt8 = 0
        let extra = try withUnsafeMutableBytes(of: &probe) { try contents.read(into: $0) }
        guard extra == 0 else {
            throw ArchiveError(.invalidArgument, "contents are longer than the declared size \(header.size)", path: header.name)
        }
        try writePadding(for: header.size)
    }

    /// Writes an entry with the given contents; `header.size` is set from `bytes` for regular files.
    public mutating func writeEntry(_ header: TarHeader, bytes: [UInt8]) throws {
        var header = header
        if header.type == .regular { header.size = Int64(bytes.count) }
        var source = MemoryByteSource(bytes)
        try writeEntry(header, contents: &source)
    }

    /// Writes an entry without contents (directory, link, device, fifo, empty file).
    public mutating func writeEntry(_ header: TarHeader) throws {
        guard header.type != .regular || header.size == 0 else {
            throw ArchiveError(.invalidArgument, "a regular file of size \(header.size) needs contents", path: header.name)
        }
        try writeHeader(header)
    }

    /// Writes the end-of-archive marker (two zero blocks). The sink stays open.
    public mutating func finish() throws {
        guard !finished else { return }
        finished = true
        let zeros = [UInt8](repeating: 0, count: 2 * TarFormat.blockSize)
        try sink.write(zeros)
    }

    // MARK: - Encoding

    private mutating func writePadding(for size: Int64) throws {
        let padding = Int((Int64(TarFormat.blockSize) - size % Int64(TarFormat.blockSize)) % Int64(TarFormat.blockSize))
        guard padding > 0 else { return }
        let zeros = [UInt8](repeating: 0, count: padding)
        try sink.write(zeros)
    }

    private mutating func writeHeader(_ header: TarHeader) throws {
        guard !finished else {
            throw ArchiveError(.failedPrecondition, "entry written after finish()", path: header.name)
        }
        guard !header.name.isEmpty, !header.name.utf8.contains(0), !header.linkName.utf8.contains(0) else {
            throw ArchiveError(.invalidArgument, "tar entry names must be non-empty and free of NUL bytes", path: header.name)
        }
        guard header.size >= 0, header.uid >= 0, header.gid >= 0, header.modificationTime.nanoseconds >= 0,
            header.modificationTime.nanoseconds < 1_000_000_000
        else {
            throw ArchiveError(.invalidArgument, "negative size, id or invalid time in tar header", path: header.name)
        }
        var name = header.name
        if header.type == .directory && !name.hasSuffix("/") { name += "/" }

        var block = [UInt8](repeating: 0, count: TarFormat.blockSize)
        var pax: [(String, [UInt8])] = []
        block.withUnsafeMutableBytes { b in
            if !Self.writeName(Array(name.utf8), into: b) {
                pax.append(("path", Array(name.utf8)))
                _ = TarFormat.writeBytes(Self.asciiPrefix(name, 100), into: b, TarFormat.name)
            }
            _ = TarFormat.writeOctal(Int64(header.mode & 0o7777), into: b, TarFormat.mode)
            if !TarFormat.writeOctal(Int64(header.uid), into: b, TarFormat.uid) {
                pax.append(("uid", Array(String(header.uid).utf8)))
                _ = TarFormat.writeOctal(0, into: b, TarFormat.uid)
            }
            if !TarFormat.writeOctal(Int64(header.gid), into: b, TarFormat.gid) {
                pax.append(("gid", Array(String(header.gid).utf8)))
                _ = TarFormat.writeOctal(0, into: b, TarFormat.gid)
            }
            let size = header.type == .regular ? header.size : 0
            if !TarFormat.writeOctal(size, into: b, TarFormat.size) {
                pax.append(("size", Array(String(size).utf8)))
                _ = TarFormat.writeOctal(0, into: b, TarFormat.size)
            }
            let time = header.modificationTime
            if !TarFormat.writeOctal(time.seconds, into: b, TarFormat.mtime) || time.nanoseconds != 0 {
                pax.append(("mtime", Array(PaxRecords.formatTime(time).utf8)))
                _ = TarFormat.writeOctal(max(0, min(time.seconds, TarFormat.maxOctalSize)), into: b, TarFormat.mtime)
            }
            b[TarFormat.typeflag] = header.type.rawValue
            let link = Array(header.linkName.utf8)
            if !Self.isASCII(link) || !TarFormat.writeBytes(link, into: b, TarFormat.linkName) {
                pax.append(("linkpath", link))
                _ = TarFormat.writeBytes(Self.asciiPrefix(header.linkName, 100), into: b, TarFormat.linkName)
            }
            _ = TarFormat.writeBytes(Array("ustar\0".utf8), into: b, TarFormat.magic)
            _ = TarFormat.writeBytes(Array("00".utf8), into: b, TarFormat.version)
            for (value, field, key) in [(header.userName, TarFormat.userName, "uname"), (header.groupName, TarFormat.groupName, "gname")] {
                let bytes = Array(value.utf8)
                if !Self.isASCII(bytes) || !TarFormat.writeBytes(bytes, into: b, field) {
                    pax.append((key, bytes))
                    _ = TarFormat.writeBytes(Self.asciiPrefix(value, 32), into: b, field)
                }
            }
            if header.type == .characterDevice || header.type == .blockDevice {
                _ = TarFormat.writeOctal(Int64(header.deviceMajor), into: b, TarFormat.deviceMajor)
                _ = TarFormat.writeOctal(Int64(header.deviceMinor), into: b, TarFormat.deviceMinor)
            }
        }
        if header.type == .characterDevice || header.type == .blockDevice,
            Int(header.deviceMajor) > TarFormat.maxOctalID || Int(header.deviceMinor) > TarFormat.maxOctalID
        {
            throw ArchiveError(.invalidArgument, "device number too large for a tar header", path: header.name)
        }
        for key in header.xattrs.keys.sorted() {
            pax.append(("SCHILY.xattr." + key, header.xattrs[key]!))
        }
        if !pax.isEmpty {
            try writePaxHeader(pax, for: name, time: header.modificationTime)
        }
        block.withUnsafeMutableBytes { b in
            _ = TarFormat.writeOctal(Int64(TarFormat.checksums(UnsafeRawBufferPointer(b)).unsigned), into: b, TarFormat.checksum)
        }
        try sink.write(block)
    }

    private mutating func writePaxHeader(_ records: [(String, [UInt8])], for name: String, time: TarTimestamp) throws {
        var data: [UInt8] = []
        for (key, value) in records.sorted(by: { $0.0 < $1.0 }) {
            guard !key.utf8.contains(0x3d), !key.utf8.contains(0) else {
                throw ArchiveError(.invalidArgument, "invalid PAX record key \"\(key)\"", path: name)
            }
            data += PaxRecords.encode(key: key, value: value)
        }
        // Readers that ignore PAX see a harmless name; the base name helps when debugging.
        let base = name.split(separator: "/").last.map(String.init) ?? "entry"
        let paxName = "PaxHeaders.0/" + String(decoding: Self.asciiPrefix(base, 80), as: UTF8.self)
        var block = [UInt8](repeating: 0, count: TarFormat.blockSize)
        block.withUnsafeMutableBytes { b in
            _ = TarFormat.writeBytes(Array(paxName.utf8), into: b, TarFormat.name)
            _ = TarFormat.writeOctal(0o644, into: b, TarFormat.mode)
            _ = TarFormat.writeOctal(0, into: b, TarFormat.uid)
            _ = TarFormat.writeOctal(0, into: b, TarFormat.gid)
            _ = TarFormat.writeOctal(Int64(data.count), into: b, TarFormat.size)
            _ = TarFormat.writeOctal(max(0, min(time.seconds, TarFormat.maxOctalSize)), into: b, TarFormat.mtime)
            b[TarFormat.typeflag] = UInt8(ascii: "x")
            _ = TarFormat.writeBytes(Array("ustar\0".utf8), into: b, TarFormat.magic)
            _ = TarFormat.writeBytes(Array("00".utf8), into: b, TarFormat.version)
            _ = TarFormat.writeOctal(Int64(TarFormat.checksums(UnsafeRawBufferPointer(b)).unsigned), into: b, TarFormat.checksum)
        }
        try sink.write(block)
        try sink.write(data)
        try writePadding(for: Int64(data.count))
    }

    /// Stores an ASCII name in the name field, or split between prefix and name at a `/`.
    private static func writeName(_ name: [UInt8], into block: UnsafeMutableRawBufferPointer) -> Bool {
        guard isASCII(name) else { return false }
        if name.count <= TarFormat.name.length {
            return TarFormat.writeBytes(name, into: block, TarFormat.name)
        }
        // The prefix is at most 155 bytes and the rest at most 100; split at the last `/` that fits.
        for split in stride(from: min(name.count - 1, TarFormat.prefix.length), through: 1, by: -1)
        where name[split] == UInt8(ascii: "/") {
            let rest = name[(split + 1)...]
            guard !rest.isEmpty, rest.count <= TarFormat.name.length else { return false }
            _ = TarFormat.writeBytes(name[..<split], into: block, TarFormat.prefix)
            _ = TarFormat.writeBytes(rest, into: block, TarFormat.name)
            return true
        }
        return false
    }

    private static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 < 0x80 }
    }

    /// A stand-in for a field whose real value lives in a PAX record.
    private static func asciiPrefix(_ text: String, _ limit: Int) -> [UInt8] {
        Array(text.utf8.filter { $0 < 0x80 && $0 != 0 }.prefix(limit))
    }
}
