/// Reads a tar stream entry by entry: ustar, PAX (`x` headers; `g` headers are skipped), GNU
/// long names (`L`/`K`) and base-256 numbers.
///
/// Call ``next()`` for each header, then read that entry's contents with ``read(into:)``
/// (the reader is itself a ``ByteSource`` over the current entry) or ``readContents()``;
/// contents left unread are skipped by the next call to `next()`. Header checksums are
/// verified. A truncated stream throws ``ArchiveError`` with code `dataLoss`, a malformed
/// header `invalidArgument`; both name the entry.
///
/// ```swift
/// var reader = TarReader(try FileByteSource(path: "layer.tar"))
/// while let header = try reader.next() {
///     let bytes = try reader.readContents()
/// }
/// ```
public struct TarReader<Source: ByteSource>: ByteSource {
    /// The underlying stream; after the end of the archive, ``drainSource()`` reads its rest.
    public private(set) var source: Source
    private let buffer = ByteBuffer(capacity: 64 * 1024)
    private var bufferStart = 0
    private var bufferEnd = 0
    /// Content bytes of the current entry not yet read.
    private var remaining: Int64 = 0
    /// Padding after the current entry's contents, up to the block boundary.
    private var padding: Int64 = 0
    private var currentName = ""
    private var finished = false
    /// Extended headers larger than this are refused rather than buffered.
    private let maxExtendedHeaderSize = 16 << 20

    public init(_ source: Source) {
        self.source = source
    }

    /// The header of the next entry, or nil at the end of the archive.
    public mutating func next() throws -> TarHeader? {
        guard !finished else { return nil }
        // Apart: a hostile size near Int64.max plus its padding would overflow.
        try skip(remaining, what: "contents")
        try skip(padding, what: "contents")
        remaining = 0
        padding = 0

        var paxRecords: [(key: String, value: [UInt8])] = []
        var longName: String?
        var longLink: String?
        while true {
            guard let block = try readHeaderBlock() else {
                finished = true
                return nil
            }
            let typeflag = block[TarFormat.typeflag]
            let rawName = block.withUnsafeBytes { TarFormat.parseString($0, TarFormat.name) }
            let entryName = longName ?? rawName
            let size = try block.withUnsafeBytes { b in
                guard let size = TarFormat.parseNumber(b, TarFormat.size), size >= 0 else {
                    throw ArchiveError(.invalidArgument, "invalid size field in tar header", path: entryName)
                }
                return size
            }
            switch typeflag {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let data = try readExtension(size: size, name: entryName)
                guard let records = PaxRecords.parse(data) else {
                    throw ArchiveError(.invalidArgument, "malformed PAX extended header", path: entryName)
                }
                // Global headers apply to a whole archive; layers never rely on them.
                if typeflag == UInt8(ascii: "x") { paxRecords += records }
            case UInt8(ascii: "L"):
                longName = Self.cString(try readExtension(size: size, name: entryName))
            case UInt8(ascii: "K"):
                longLink = Self.cString(try readExtension(size: size, name: entryName))
            default:
                var header = try block.withUnsafeBytes { try Self.parse($0, name: entryName) }
                if let longName { header.name = longName }
                if let longLink { header.linkName = longLink }
                try Self.apply(paxRecords, to: &header)
                header.name = Self.trimmingTrailingSlashes(header.name)
                // An empty name (or `/`) is the archive's root, as Go's reader and GNU tar take
                // it: archives made with an empty member name are unpacked, not refused.
                if header.name.isEmpty { header.name = "." }
                guard header.size >= 0 else {
                    throw ArchiveError(.invalidArgument, "negative size in tar header", path: header.name)
                }
                // Only regular files carry contents; other types' size fields are ignored, as
                // GNU tar and Go's archive/tar do.
                let contentSize = header.type == .regular ? header.size : 0
                if header.type != .regular { header.size = 0 }
                remaining = contentSize
                padding = (Int64(TarFormat.blockSize) - contentSize % Int64(TarFormat.blockSize)) % Int64(TarFormat.blockSize)
                currentName = header.name
                return header
            }
        }
    }

    /// Reads the current entry's contents; 0 at the end of them.
    public mutating func read(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remaining > 0, target.count > 0 else { return 0 }
        let wanted = Int(min(Int64(target.count), remaining))
        let n: Int
        if bufferEnd > bufferStart {
            n = min(wanted, bufferEnd - bufferStart)
            target.baseAddress!.copyMemory(from: buffer.pointer.baseAddress! + bufferStart, byteCount: n)
            bufferStart += n
        } else if wanted >= buffer.count / 2 {
            // Large reads go straight to the caller's buffer.
            n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: target[..<wanted]))
        } else {
            guard try fill() else { throw truncated("contents") }
            return try read(into: target)
        }
        guard n > 0 else { throw truncated("contents") }
        remaining -= Int64(n)
        return n
    }

    /// All of the current entry's remaining contents.
    public mutating func readContents() throws -> [UInt8] {
        // Grown as data arrives: a hostile size field must not allocate gigabytes up front.
        var result: [UInt8] = []
        result.reserveCapacity(Int(min(remaining, 1 << 20)))
        let chunk = ByteBuffer(capacity: Int(min(max(remaining, 1), 1 << 20)))
        while remaining > 0 {
            let n = try read(into: chunk.pointer)
            result.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk.pointer[..<n]))
        }
        return result
    }

    /// Reads and discards what follows the end-of-archive marker, so a ``DigestingSource``
    /// underneath has seen the whole stream. Call after ``next()`` returned nil.
    public mutating func drainSource() throws {
        bufferStart = bufferEnd
        try source.drain()
    }

    // MARK: - Blocks

    /// Reads one header block; nil at a clean end (end of stream or a zero block).
    private mutating func readHeaderBlock() throws -> [UInt8]? {
        var block = [UInt8](repeating: 0, count: TarFormat.blockSize)
        let n = try block.withUnsafeMutableBytes { try readRaw(into: $0) }
        if n == 0 { return nil }
        guard n == TarFormat.blockSize else { throw truncated("header") }
        if block.allSatisfy({ $0 == 0 }) {
            // The end marker is two zero blocks; accept one, as GNU tar does.
            var second = [UInt8](repeating: 0, count: TarFormat.blockSize)
            _ = try second.withUnsafeMutableBytes { try readRaw(into: $0) }
            return nil
        }
        try block.withUnsafeBytes { b in
            guard let stored = TarFormat.parseNumber(b, TarFormat.checksum) else {
                throw ArchiveError(.invalidArgument, "invalid checksum field in tar header", path: headerContext(b))
            }
            let sums = TarFormat.checksums(b)
            guard stored == sums.unsigned || stored == sums.signed else {
                throw ArchiveError(
                    .invalidArgument, "tar header checksum mismatch (stored \(stored), computed \(sums.unsigned))",
                    path: headerContext(b))
            }
        }
        return block
    }

    private func headerContext(_ block: UnsafeRawBufferPointer) -> String {
        let name = TarFormat.parseString(block, TarFormat.name)
        return name.isEmpty ? "entry after \(currentName.isEmpty ? "start of archive" : currentName)" : name
    }

    /// Reads an extension header's data (PAX records, GNU long name) and its padding.
    private mutating func readExtension(size: Int64, name: String) throws -> [UInt8] {
        guard size <= maxExtendedHeaderSize else {
            throw ArchiveError(.invalidArgument, "extended header of \(size) bytes is too large", path: name)
        }
        var data = [UInt8](repeating: 0, count: Int(size))
        let n = try data.withUnsafeMutableBytes { try readRaw(into: $0) }
        guard n == data.count else {
            currentName = name
            throw truncated("extended header")
        }
        try skip((Int64(TarFormat.blockSize) - size % Int64(TarFormat.blockSize)) % Int64(TarFormat.blockSize), what: "extended header")
        return data
    }

    /// Fills `target` from the buffer and the source; returns the count (short only at the end).
    private mutating func readRaw(into target: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < target.count {
            if bufferEnd == bufferStart {
                guard try fill() else { break }
            }
            let n = min(target.count - filled, bufferEnd - bufferStart)
            (target.baseAddress! + filled).copyMemory(from: buffer.pointer.baseAddress! + bufferStart, byteCount: n)
            bufferStart += n
            filled += n
        }
        return filled
    }

    private mutating func skip(_ count: Int64, what: String) throws {
        var left = count
        while left > 0 {
            if bufferEnd == bufferStart {
                guard try fill() else { throw truncated(what) }
            }
            let n = Int(min(left, Int64(bufferEnd - bufferStart)))
            bufferStart += n
            left -= Int64(n)
        }
    }

    /// Refills the empty buffer; false at the end of the source.
    private mutating func fill() throws -> Bool {
        bufferStart = 0
        bufferEnd = try source.read(into: buffer.pointer)
        return bufferEnd > 0
    }

    private func truncated(_ what: String) -> ArchiveError {
        ArchiveError(
            .dataLoss, "truncated tar archive: unexpected end of stream in \(what)",
            path: currentName.isEmpty ? nil : currentName)
    }

    // MARK: - Parsing

    private static func parse(_ block: UnsafeRawBufferPointer, name: String) throws -> TarHeader {
        func number(_ field: TarFormat.Field, _ label: String) throws -> Int64 {
            guard let value = TarFormat.parseNumber(block, field) else {
                throw ArchiveError(.invalidArgument, "invalid \(label) field in tar header", path: name)
            }
            return value
        }
        let typeflag = block[TarFormat.typeflag]
        let type: TarEntryType
        switch typeflag {
        case 0, UInt8(ascii: "7"): type = .regular
        default:
            guard let known = TarEntryType(rawValue: typeflag) else {
                throw ArchiveError(
                    .unsupported, "unsupported tar entry type \"\(Unicode.Scalar(typeflag))\"", path: name)
            }
            type = known
        }
        let magic = Array(UnsafeRawBufferPointer(rebasing: block[TarFormat.magic.range]))
        let isUstar = magic == Array("ustar\0".utf8)
        var fullName = name
        if isUstar {
            // GNU headers ("ustar  ") keep times in the prefix area, so only POSIX ustar has one.
            let prefix = TarFormat.parseString(block, TarFormat.prefix)
            if !prefix.isEmpty && fullName == TarFormat.parseString(block, TarFormat.name) {
                fullName = prefix + "/" + fullName
            }
        }
        let mode = try number(TarFormat.mode, "mode")
        let uid = try number(TarFormat.uid, "uid")
        let gid = try number(TarFormat.gid, "gid")
        let isDevice = type == .characterDevice || type == .blockDevice
        let major = isDevice ? try number(TarFormat.deviceMajor, "device major") : 0
        let minor = isDevice ? try number(TarFormat.deviceMinor, "device minor") : 0
        guard uid >= 0, uid <= Int64(UInt32.max), gid >= 0, gid <= Int64(UInt32.max),
            major >= 0, major <= Int64(UInt32.max), minor >= 0, minor <= Int64(UInt32.max)
        else {
            throw ArchiveError(.invalidArgument, "out-of-range uid, gid or device number in tar header", path: name)
        }
        return TarHeader(
            name: fullName, type: type, mode: UInt32(truncatingIfNeeded: mode) & 0o7777,
            uid: Int(uid), gid: Int(gid), size: try number(TarFormat.size, "size"),
            modificationTime: TarTimestamp(seconds: try number(TarFormat.mtime, "mtime")),
            linkName: TarFormat.parseString(block, TarFormat.linkName),
            userName: TarFormat.parseString(block, TarFormat.userName),
            groupName: TarFormat.parseString(block, TarFormat.groupName),
            deviceMajor: UInt32(major), deviceMinor: UInt32(minor))
    }

    private static func apply(_ records: [(key: String, value: [UInt8])], to header: inout TarHeader) throws {
        for (key, value) in records {
            let text = String(decoding: value, as: UTF8.self)
            func integer(_ maximum: Int64) throws -> Int64 {
                guard let number = Int64(text), number >= 0, number <= maximum else {
                    throw ArchiveError(.invalidArgument, "invalid PAX \(key) value \"\(text)\"", path: header.name)
                }
                return number
            }
            switch key {
            case "path": header.name = text
            case "linkpath": header.linkName = text
            case "uid": header.uid = Int(try integer(Int64(UInt32.max)))
            case "gid": header.gid = Int(try integer(Int64(UInt32.max)))
            case "uname": header.userName = text
            case "gname": header.groupName = text
            case "size": header.size = try integer(Int64.max)
            case "mtime":
                guard let time = PaxRecords.parseTime(text) else {
                    throw ArchiveError(.invalidArgument, "invalid PAX mtime \"\(text)\"", path: header.name)
                }
                header.modificationTime = time
            default:
                if key.hasPrefix("SCHILY.xattr.") {
                    header.xattrs[String(key.dropFirst("SCHILY.xattr.".count))] = value
                } else if key.hasPrefix("GNU.sparse.") {
                    throw ArchiveError(.unsupported, "sparse tar entries are not supported", path: header.name)
                }
            // Other records (atime, ctime, comment, charset, vendor keys) do not affect layers.
            }
        }
    }

    private static func cString(_ data: [UInt8]) -> String {
        let end = data.firstIndex(of: 0) ?? data.count
        return String(decoding: data[..<end], as: UTF8.self)
    }

    private static func trimmingTrailingSlashes(_ name: String) -> String {
        var name = Substring(name)
        while name.count > 1 && name.hasSuffix("/") { name = name.dropLast() }
        return String(name)
    }
}
