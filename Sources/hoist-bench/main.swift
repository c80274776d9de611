// A benchmark driver for HoistArchive, run by scripts/bench-archive.sh (not a user tool).
//
//   hoist-bench tar DIR            tar DIR (as a layer against an empty tree) and sha256 it
//   hoist-bench gzip|zstd FILE [THREADS]  compress FILE on THREADS threads (default: one per core), hashing the input and the output
//   hoist-bench apply FILE DIR     apply the layer FILE onto DIR
//   hoist-bench snapshot overlay|inplace BASE.tar FILES[,FILES…] STEPS [new|modify]
//                                  STEPS build steps on the layer BASE.tar, each writing FILES
//                                  new files (or rewriting FILES of the base's files, spread
//                                  over it), snapshotted as the normal mode (overlay) or pod
//                                  isolation (in place) does, then STEPS more for the next
//                                  FILES (the base unpacked once); run by scripts/bench-pod.sh
//
// Each prints one line: "<bytes> <seconds> <digest>", timed inside the process; snapshot
// prints a line per FILES: "<first-step seconds> <median step seconds> <layer bytes per step>
// <median step CPU seconds>" (the process's CPU time, which a loaded machine does not inflate
// as it does the elapsed time); the first FILES' first step includes unpacking the base.
import Foundation
import HoistArchive
import HoistOCI
import HoistStore

#if canImport(Glibc)
    import Glibc
#endif

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// The CPU time this process has used, user and system, in seconds.
func cpuTime() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
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
        let threads = arguments.count > 2 ? Int(arguments[2]) ?? Compression.defaultThreads : Compression.defaultThreads
        var encoder = try LayerEncoder(DiscardingSink(), compression: compression, threads: threads)
        try source.copy(to: &encoder)
        try encoder.close()
        print(encoder.result.uncompressedSize, now() - start, encoder.result.digest)
    case "snapshot":
        let counts = arguments.count > 3 ? arguments[3].split(separator: ",").compactMap { Int($0) } : []
        guard arguments.count == 5 || arguments.count == 6, !counts.isEmpty, let steps = Int(arguments[4]), steps > 1,
            arguments.count == 5 || ["new", "modify"].contains(arguments[5])
        else {
            fail("usage: hoist-bench snapshot overlay|inplace BASE.tar FILES[,FILES…] STEPS [new|modify]")
        }
        try snapshotBenchmark(kind: arguments[1], base: arguments[2], counts: counts, steps: steps, modify: arguments.count == 6 && arguments[5] == "modify")
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

/// Times what a build step's snapshot costs, without the step's command: making the step's
/// tree from its parent (prepare, mount) and turning its changes into a layer (unmount, diff,
/// commit). The first step includes what the snapshotter does to bring up the base.
func snapshotBenchmark(kind: String, base: String, counts: [Int], steps: Int, modify: Bool) throws {
    let work = "/tmp/hoist-bench-snapshot-\(getpid())"
    try FileManager.default.createDirectory(atPath: work + "/tree", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    let store = try Store(root: StoreRoot(URL(fileURLWithPath: work + "/store")))
    let snapshotter: any Snapshotter
    switch kind {
    case "overlay": snapshotter = try OverlaySnapshotter(store: store)
    case "inplace": snapshotter = try InPlaceSnapshotter(store: store, root: work + "/tree")
    default: fail("unknown snapshotter \(kind): overlay or inplace")
    }
    var digesting = DigestingSource(try FileByteSource(path: base))
    try digesting.drain()
    let diffID = digesting.digest
    let unpackStart = now()
    let unpackedBase = try LayerUnpacker(snapshotter: snapshotter)
        .unpack([LayerUnpacker.Layer(diffID: diffID) { try FileByteSource(path: base) }]).key
    var parent = unpackedBase
    let unpacked = now() - unpackStart
    // The base's singly-linked regular files, the ones a step rewrites, listed before timing.
    var baseFiles: [String] = []
    if modify {
        var reader = TarReader(try FileByteSource(path: base))
        while let header = try reader.next() {
            if header.type == .regular { baseFiles.append(header.name.hasPrefix("./") ? String(header.name.dropFirst(2)) : header.name) }
        }
        guard baseFiles.count >= counts.max() ?? 0 else { fail("\(base) has \(baseFiles.count) files, fewer than \(counts.max() ?? 0)") }
    }
    let mountPoint = work + "/mnt"
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    var step = 0
    for (index, files) in counts.enumerated() {
        // The in-place tree holds the chain so far; overlay snapshots start again from the base
        // (a chain of hundreds of layers would not mount).
        if !snapshotter.holdsOneActiveSnapshot { parent = unpackedBase }
        var times: [Double] = []
        var cpuTimes: [Double] = []
        var bytes: Int64 = 0
        for _ in 0..<steps {
            defer { step += 1 }
            let key = try SnapshotKey("step-\(step)")
            let start = now()
            let cpuStart = cpuTime()
            let mounts = try snapshotter.prepare(key: key, parent: parent, labels: [:])
            let root = Mount.directoryInPlace(mounts) ?? mountPoint
            if Mount.directoryInPlace(mounts) == nil { try Mount.mountAll(mounts, at: mountPoint) }
            let prepared = now()
            let cpuPrepared = cpuTime()
            if !modify { try FileManager.default.createDirectory(atPath: root + "/step-\(step)", withIntermediateDirectories: true) }
            for file in 0..<files {
                let data = Array("step \(step) file \(file)\n".utf8)
                // Rewritten files are spread over the base, other ones at each step.
                let path = modify ? root + "/" + baseFiles[(file * baseFiles.count / max(files, 1) + step) % baseFiles.count]
                    : root + "/step-\(step)/f\(file)"
                let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
            }
            let changed = now()
            let cpuChanged = cpuTime()
            if Mount.directoryInPlace(mounts) == nil { try Mount.unmountAll(mounts, at: mountPoint) }
            var sink = DigestingSink(DiscardingSink())
            _ = try snapshotter.diff(key, to: &sink, options: LayerDiffer.Options())
            let name = try SnapshotKey("layer-\(step)")
            try snapshotter.commit(name: name, key: key, labels: [:])
            times.append((prepared - start) + (now() - changed))
            cpuTimes.append((cpuPrepared - cpuStart) + (cpuTime() - cpuChanged))
            bytes = sink.count
            parent = name
        }
        let later = times.dropFirst().sorted()
        let laterCPU = cpuTimes.dropFirst().sorted()
        print((index == 0 ? unpacked : 0) + times[0], later[later.count / 2], bytes, laterCPU[laterCPU.count / 2])
    }
}
