#if !HOIST_LIBFUZZER
    import Foundation
    import HoistFuzzTargets
    import HoistTestSupport

    /// Without libFuzzer: seeds from corpus directories, mutated at random (bytes changed,
    /// inserted, removed, spliced from another seed), fed to one target for a time or a number
    /// of runs. A trap ends the process, so finishing is the proof; it prints the figures.
    ///
    ///     hoist-fuzz TARGET [-runs=N] [-max_total_time=SECONDS] [-seed=N] [CORPUS_DIR…]
    @main
    struct RandomDriver {
        static func main() throws {
            var arguments = Array(CommandLine.arguments.dropFirst())
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                print("usage: hoist-fuzz TARGET [-runs=N] [-max_total_time=SECONDS] [-seed=N] [CORPUS_DIR…]; targets: \(FuzzTarget.allCases.map(\.rawValue))")
                exit(2)
            }
            arguments.removeFirst()
            var runs = Int.max
            var seconds = 10.0
            var seed: UInt64 = 1
            var seeds: [[UInt8]] = []
            for argument in arguments {
                if let value = argument.value(of: "-runs=") { runs = Int(value) ?? runs }
                else if let value = argument.value(of: "-max_total_time=") { seconds = Double(value) ?? seconds }
                else if let value = argument.value(of: "-seed=") { seed = UInt64(value) ?? seed }
                else { seeds += try Self.files(in: argument) }
            }
            if seeds.isEmpty { seeds = [[]] }
            var random = SeededGenerator(seed: seed)
            let start = Date()
            var executions = 0
            for seedInput in seeds {
                target.run(seedInput)
                executions += 1
            }
            while executions < runs, Date().timeIntervalSince(start) < seconds {
                var input = seeds[Int(random.next() % UInt64(seeds.count))]
                for _ in 0...(random.next() % 8) {
                    let position = input.isEmpty ? 0 : Int(random.next() % UInt64(input.count))
                    switch random.next() % 5 {
                    case 0: input.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                    case 1: if !input.isEmpty { input.remove(at: position) }
                    case 2: if !input.isEmpty { input[position] = UInt8(truncatingIfNeeded: random.next()) }
                    case 3:
                        let other = seeds[Int(random.next() % UInt64(seeds.count))]
                        if !other.isEmpty {
                            let from = Int(random.next() % UInt64(other.count))
                            input.insert(contentsOf: other[from..<min(other.count, from + Int(random.next() % 64))], at: position)
                        }
                    default: if !input.isEmpty { input.removeSubrange(position..<min(input.count, position + Int(random.next() % 32))) }
                    }
                }
                target.run(input)
                executions += 1
            }
            let elapsed = Date().timeIntervalSince(start)
            print("hoist-fuzz \(target.rawValue): \(executions) executions in \(String(format: "%.1f", elapsed)) s from \(seeds.count) seeds, 0 crashes (random driver, seed \(seed))")
        }

        /// The files of a corpus directory (or the file itself), as seeds.
        static func files(in path: String) throws -> [[UInt8]] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
            guard isDirectory.boolValue else { return [Array(try Data(contentsOf: URL(fileURLWithPath: path)))] }
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted().flatMap { try files(in: path + "/" + $0) }
        }
    }

    extension String {
        func value(of prefix: String) -> String? { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil }
    }
#endif
