import Foundation
@testable import HoistRuntime
import HoistTestSupport
import Testing

/// The log index (issue 19): the log files stay the container's bytes, the index gives each
/// line its time and the order of stdout and stderr, and a cursor reads only what is new.
struct LogIndexTests {
    @Test func cursorOrdersBothStreamsByTheIndexAndCarriesUnfinishedLines() throws {
        let directory = try TemporaryDirectory()
        let (output, errors, index) = (directory.appending("out").path, directory.appending("err").path, directory.appending("index").path)
        try Data("a\nb".utf8).write(to: URL(fileURLWithPath: output))
        try Data("e\n".utf8).write(to: URL(fileURLWithPath: errors))
        // stdout "a\n" at 100, stderr "e\n" at 200, stdout "b" (no newline yet) at 300.
        try Data("1 2 100\n2 2 200\n1 3 300\n".utf8).write(to: URL(fileURLWithPath: index))
        var cursor = LogIndex.Cursor(standardOutput: output, standardError: errors, index: index)
        let first = cursor.read(final: false)
        #expect(first.map(\.stream) == [1, 2] && first.map(\.data) == [Data("a\n".utf8), Data("e\n".utf8)], "\(first)")
        #expect(first.map(\.nanoseconds) == [100, 200])
        // The line is ended later: it takes the time of the piece that ended it.
        try FileHandle(forWritingTo: URL(fileURLWithPath: output)).append("c\nd")
        try FileHandle(forWritingTo: URL(fileURLWithPath: index)).append("1 6 400\n")
        let second = cursor.read(final: false)
        #expect(second.map(\.data) == [Data("bc\n".utf8)], "\(second)")
        #expect(second.map(\.nanoseconds) == [400])
        // The stream's end (a record adding nothing): its unfinished line is written then.
        try FileHandle(forWritingTo: URL(fileURLWithPath: index)).append("1 6 500\n")
        let third = cursor.read(final: false)
        #expect(third.map(\.data) == [Data("d".utf8)] && third.map(\.nanoseconds) == [500], "\(third)")
        #expect(cursor.read(final: true).isEmpty)
    }

    @Test func aRecordNotYetWholeWaitsAndFilesWithoutAnIndexReadWithoutTimes() throws {
        let directory = try TemporaryDirectory()
        let (output, errors, index) = (directory.appending("out").path, directory.appending("err").path, directory.appending("index").path)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: output))
        try Data("y\n".utf8).write(to: URL(fileURLWithPath: errors))
        try Data("1 2 5\n2 2".utf8).write(to: URL(fileURLWithPath: index))
        var cursor = LogIndex.Cursor(standardOutput: output, standardError: errors, index: index)
        #expect(cursor.read(final: true).map(\.data) == [Data("x\n".utf8)])
        try FileHandle(forWritingTo: URL(fileURLWithPath: index)).append(" 6\n")
        #expect(cursor.read(final: true).map(\.nanoseconds) == [6])
        // A container of an earlier version: no index file.
        var plain = LogIndex.Cursor(standardOutput: output, standardError: errors, index: directory.appending("none").path)
        let pieces = plain.read(final: true)
        #expect(pieces.map(\.stream) == [1, 2] && pieces.allSatisfy { $0.nanoseconds == nil })
    }

    @Test func writerKeepsTheBytesAndTheOrderItWasGiven() throws {
        let directory = try TemporaryDirectory()
        let (output, errors, index) = (directory.appending("out").path, directory.appending("err").path, directory.appending("index").path)
        let bytes = Data([0, 1, 2, 255, 10])
        do {
            let writer = try LogIndex.Writer(standardOutput: output, standardError: errors, index: index)
            writer.append(Data("one\n".utf8), stream: 1)
            writer.append(Data("two\n".utf8), stream: 2)
            writer.append(bytes, stream: 1)
        }
        #expect(FileManager.default.contents(atPath: output) == Data("one\n".utf8) + bytes)
        #expect(FileManager.default.contents(atPath: errors) == Data("two\n".utf8))
        var cursor = LogIndex.Cursor(standardOutput: output, standardError: errors, index: index)
        let pieces = cursor.read(final: true)
        #expect(pieces.map(\.stream) == [1, 2, 1] && pieces.last?.data == bytes, "\(pieces)")
        let times = pieces.compactMap(\.nanoseconds)
        #expect(times.count == 3 && times == times.sorted())
    }
}

extension FileHandle {
    fileprivate func append(_ text: String) throws {
        try seekToEnd()
        try write(contentsOf: Data(text.utf8))
        try close()
    }
}
