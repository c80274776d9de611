/// A container's processes as `docker top` lists them: the host's `ps` columns and a row per
/// process of the container.
public struct ContainerProcesses: Sendable, Hashable {
    public var titles: [String]
    public var processes: [[String]]

    public init(titles: [String], processes: [[String]]) {
        self.titles = titles
        self.processes = processes
    }

    /// The rows of `ps` output `text` whose PID is one of `pids`, split as Docker's daemon splits
    /// them (`parsePSOutput`): the header's words are the titles, each row has as many fields,
    /// the last taking the rest of the line (a command with spaces).
    ///
    /// - Throws: ``ClientError`` `invalidArgument` when the header has no PID column (ps options
    ///   that leave it out), as Docker refuses them.
    public static func parse(psOutput text: String, pids: Set<Int32>) throws -> ContainerProcesses {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        guard let header = lines.first else { return ContainerProcesses(titles: [], processes: []) }
        let titles = header.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let pidColumn = titles.firstIndex(of: "PID") else {
            throw ClientError(.invalidArgument, "Couldn't find PID field in ps output")
        }
        var processes: [[String]] = []
        for line in lines.dropFirst() {
            var fields: [String] = []
            var rest = Substring(line)
            while fields.count < titles.count - 1 {
                rest = rest.drop { $0 == " " }
                guard !rest.isEmpty else { break }
                let field = rest.prefix { $0 != " " }
                fields.append(String(field))
                rest = rest.dropFirst(field.count)
            }
            let last = rest.drop { $0 == " " }
            if !last.isEmpty { fields.append(String(last)) }
            guard pidColumn < fields.count, let pid = Int32(fields[pidColumn]) else {
                throw ClientError(.invalidArgument, "Unexpected pid '\(pidColumn < fields.count ? fields[pidColumn] : "")': the ps output cannot be read")
            }
            if pids.contains(pid) { processes.append(fields) }
        }
        return ContainerProcesses(titles: titles, processes: processes)
    }
}
