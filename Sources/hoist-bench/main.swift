// A benchmark driver for HoistArchive, run by scripts/bench-archive.sh (not a user tool).
//
//   hoist-bench tar DIR            tar DIR (as a layer against an empty tree) and sha256 it
//   hoist-bench gzip|zstd FILE     compress FILE, hashing the input and the output
//   hoist-bench apply FILE DIR     apply the layer FILE onto DIR
//
// Each prints one line: "<bytes> <seconds> <digest>", timed inside the process.
import HoistArchive
import HoistOCI

#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func fail(_ message: String) -> Never {
    let line = Array("hoist-bench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first, arguments.count >= 2 else {
    fail("usage: hoist-bench tar DIR | gzip FILE | zstd FILE | apply FILE DIR")
}

do {
    let start = now()
    switch mode {
    case "tar":
        let empty = "/tmp/hoist-bench-empty-\(getpid())"
        mkdir(empty, 0o755)
        defer { rmdir(empty) }
        var sink = DigestingSink(DiscardingSink())
        try LayerDiffer().diff(lower: empty, upper: arguments[1], to: &sink)
        print(sink.count, now() - start, sink.digest)
    case "gzip", "zstd":
        var source = try FileByteSource(path: arguments[1])
        let compression: Compression = mode == "gzip" ? .gzip(level: 6) : .zstd(level: 3)
        var encoder = try LayerEncoder(DiscardingSink(), compression: compression)
        try source.copy(to: &encoder)
        try encoder.close()
        print(encoder.result.uncompressedSize, now() - start, encoder.result.digest)
    case "apply":
        guard arguments.count == 3 else { fail("usage: hoist-bench apply FILE DIR") }
        let result = try LayerApplier(root: arguments[2]).apply(try FileByteSource(path: arguments[1]))
        print(result.size, now() - start, result.diffID)
    default:
        fail("unknown mode \(mode)")
    }
} catch {
    fail("\(error)")
}
