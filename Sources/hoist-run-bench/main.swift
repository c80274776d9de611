// Times RuncExecutor from call to return for `true` in a directory rootfs, for
// scripts/bench-run.sh. Usage: hoist-run-bench ROOTFS RUNS [runc|crun] [none|host|pool|attach];
// prints one time in milliseconds per line. The network modes: a new namespace with loopback
// (default), the host's, a prepared namespace of the default network taken from the pool and
// given back (a RUN step's), or a fresh CNI attach and detach around each run.
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
let mode = arguments.count > 4 ? arguments[4] : "none"
let networking = ContainerNetworking()
let network = try NetworkDefinition.defaultNetwork()
for _ in 0..<runs {
    let start = ContinuousClock.now
    var settings = ContainerSettings(arguments: ["true"], network: mode == "host" ? .host : .none)
    var attachment: NetworkAttachment?
    switch mode {
    case "pool": attachment = try await networking.takeFromPool(network)
    case "attach": attachment = try await networking.attach(network, .init(id: "hoist-bench-" + UUID().uuidString.prefix(8), hostname: "bench"))
    default: break
    }
    if let attachment { settings.network = .namespace(attachment.namespace) }
    let code = try await executor.run(settings, rootfs: .directory(arguments[1]), io: io)
    if let attachment {
        if mode == "pool" { await networking.giveBack(attachment, reusable: true) } else { await networking.detach(attachment.id) }
    }
    let elapsed = ContinuousClock.now - start
    guard code == 0 else {
        FileHandle.standardError.write(Data("true exited \(code)\n".utf8))
        exit(1)
    }
    let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    print(String(format: "%.2f", milliseconds))
}
