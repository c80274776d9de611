// Times RuncExecutor from call to return for `true` in a directory rootfs, for
// scripts/bench-run.sh. Usage: hoist-run-bench ROOTFS RUNS [runc|crun]; prints one time in
// milliseconds per line.
import Foundation
import HoistRuntime

let arguments = CommandLine.arguments
guard arguments.count >= 3, let runs = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: hoist-run-bench ROOTFS RUNS [runc|crun]\n".utf8))
    exit(2)
}
let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("hoist-run-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: work) }
let runtime = arguments.count > 3 && arguments[3] == "crun" ? try OCIRuntime.crun() : try OCIRuntime.runc()
let executor = RuncExecutor(
    runtime: runtime, stateDirectory: work.appendingPathComponent("state"),
    bundleDirectory: work.appendingPathComponent("bundles"))
let io = ContainerIO(standardOutput: { _ in }, standardError: { FileHandle.standardError.write($0) })
for _ in 0..<runs {
    let start = ContinuousClock.now
    let code = try await executor.run(ContainerSettings(arguments: ["true"]), rootfs: .directory(arguments[1]), io: io)
    let elapsed = ContinuousClock.now - start
    guard code == 0 else {
        FileHandle.standardError.write(Data("true exited \(code)\n".utf8))
        exit(1)
    }
    let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    print(String(format: "%.2f", milliseconds))
}
