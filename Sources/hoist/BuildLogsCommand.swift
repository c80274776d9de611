import ArgumentParser
import Foundation
import Hoist

/// `hoist build logs [STEP]`: the whole output of the last build's steps, kept on disk without
/// a size limit (the progress view shows a few lines, a failure ten).
///
/// `build` takes a context directory as its argument, which ArgumentParser would take `logs`
/// for: ``HoistCommand/main()`` hands `build logs …` to this command, named `build-logs` (a
/// context directory named logs is built with `hoist build ./logs`).
struct BuildLogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-logs", abstract: "Print the whole output of the last build's steps (hoist build logs [STEP]).",
        discussion: "With STEP, that step's output exactly as its command wrote it; without, every step that printed, each under its number and name.",
        shouldDisplay: false)

    /// `build logs …` as this command's arguments (`build-logs …`); other arguments as they are.
    static func routed(_ arguments: [String]) -> [String] {
        arguments.starts(with: ["build", "logs"]) ? ["build-logs"] + arguments.dropFirst(2) : arguments
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A step of the last build: its number, its name as progress shows it ([2/3] RUN make), or a part only one step's name has.")
    var step: String?

    func run() async throws {
        try await reportingErrors {
            let client = try await global.client()
            if let step {
                try Self.copy(try client.buildLogFile(step).file)
                return
            }
            for step in try client.lastBuildSteps() where step.size > 0 {
                FileHandle.standardOutput.write(Data("#\(step.index) \(step.name)\n".utf8))
                let (_, file) = try client.buildLogFile(String(step.index))
                try Self.copy(file)
                if try Self.lastByte(of: file) != UInt8(ascii: "\n") { FileHandle.standardOutput.write(Data("\n".utf8)) }
            }
        }
    }

    /// Writes `file` to standard output as it is, a chunk at a time.
    private static func copy(_ file: URL) throws {
        let input = try FileHandle(forReadingFrom: file)
        defer { try? input.close() }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            try FileHandle.standardOutput.write(contentsOf: chunk)
        }
    }

    private static func lastByte(of file: URL) throws -> UInt8? {
        let input = try FileHandle(forReadingFrom: file)
        defer { try? input.close() }
        let size = try input.seekToEnd()
        guard size > 0 else { return nil }
        try input.seek(toOffset: size - 1)
        return try input.read(upToCount: 1)?.first
    }
}
