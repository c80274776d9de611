import Foundation
import HoistTestSupport
import Testing

/// README's day-two command lines (issue 19), run as written on a running `web`.
extension DayTwoVerbTests {
    @Test(.timeLimit(.minutes(3)))
    func readmeDayTwoCommandsRunAsWritten() throws {
        let readme = try String(contentsOf: Interop.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.split(separator: "\n").filter { $0.hasPrefix("hoist logs -t --tail") || $0.hasPrefix("hoist pause web;") }
        try #require(lines.count == 2, "README lacks the day-two lines")
        let started = try Interop.hoist(["run", "-d", "--network", "none", "--name", "web", "busybox", "sh", "-c", "echo ready; exec sleep 1000"], root: store)
        try #require(started.status == 0, "\(started.errorText)")
        defer {
            _ = try? Interop.hoist(["rm", "-f", "web"], root: store)
            _ = try? Interop.hoist(["rm", "-f", "site"], root: store)
        }
        for line in lines {
            let commands = line.components(separatedBy: "   #")[0].components(separatedBy: "; ")
            for command in commands {
                let words = command.split(separator: " ").map(String.init)
                #expect(words.first == "hoist")
                let result = try Interop.hoist(Array(words.dropFirst()), root: store)
                #expect(result.status == 0, "\(command): \(result.errorText)")
                if command.hasPrefix("hoist logs") {
                    #expect(result.text.hasSuffix(" ready\n") && result.text.hasPrefix("20"), "\(result.text)")
                }
                if command == "hoist ps -s" { #expect(result.text.contains("SIZE") && result.text.contains("(virtual "), "\(result.text)") }
            }
        }
        #expect(try Interop.hoist(["inspect", "--format", "{{.Name}} {{.State.Status}}", "site"], root: store).text == "/site running\n")
    }
}
