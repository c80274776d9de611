import Foundation
import HoistTestSupport

/// A random Dockerfile and build context made from a seed, for the differential fuzzer: file
/// names with dots and globs to match, modes, hard links, symlinks, a `.dockerignore` with
/// exceptions, users, stages, ARG and ENV scoping, and the instructions that use them. Only
/// what Docker 20.10's BuildKit understands (no heredocs, `--parents`, `--exclude`, `--link`).
struct DockerfileCase: CustomStringConvertible {
    /// A file of the context: its text (nil for a directory), mode, or a link.
    enum Entry {
        case file(String, mode: UInt32)
        case directory(mode: UInt32)
        case symlink(to: String)
        case hardLink(to: String)
        /// A tar of these context paths, made with `tar`.
        case tar(of: [String])
    }

    /// Paths Docker 20.10's BuildKit (v0.8) leaves in an image and current BuildKit, which
    /// Hoist follows, does not: the targets of RUN mounts (Tests/BuildKitCorpus/docker-differences).
    static let dockerOnlyPaths = ["ctx"]

    let seed: UInt64
    var dockerfile: String
    /// Context paths in the order they are made (parents and link targets first).
    var entries: [(path: String, entry: Entry)]
    var buildArguments: [String: String]

    var description: String {
        let files = entries.map { path, entry -> String in
            switch entry {
            case .file(let text, let mode) where path == ".dockerignore": "\(path) (\(String(mode, radix: 8))): \(text.debugDescription)"
            case .file(_, let mode): "\(path) (\(String(mode, radix: 8)))"
            case .directory(let mode): "\(path)/ (\(String(mode, radix: 8)))"
            case .symlink(let target): "\(path) -> \(target)"
            case .hardLink(let target): "\(path) = \(target)"
            case .tar(let paths): "\(path) = tar of \(paths)"
            }
        }
        let arguments = buildArguments.sorted { $0.key < $1.key }.map { "--build-arg \($0.key)=\($0.value)" }
        return "seed \(seed)\(arguments.isEmpty ? "" : " " + arguments.joined(separator: " "))\ncontext: \(files.joined(separator: ", "))\n\(dockerfile)"
    }

    /// Writes the context (with its Dockerfile) into `directory`.
    func write(into directory: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        for (path, entry) in entries {
            let url = directory.appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            switch entry {
            case .file(let text, let mode):
                try Data(text.utf8).write(to: url)
                try manager.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
            case .directory(let mode):
                try manager.createDirectory(at: url, withIntermediateDirectories: true)
                try manager.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
            case .symlink(let target):
                try manager.createSymbolicLink(atPath: url.path, withDestinationPath: target)
            case .hardLink(let target):
                try manager.linkItem(atPath: directory.appendingPathComponent(target).path, toPath: url.path)
            case .tar(let paths):
                try ExternalCommand.checked(["tar", "--owner=0", "--group=0", "-cf", url.path, "-C", directory.path] + paths)
            }
        }
        try Data(dockerfile.utf8).write(to: directory.appendingPathComponent("Dockerfile"))
    }
}

/// Makes ``DockerfileCase``s: the same seed, the same case.
struct DockerfileCaseGenerator {
    private var random: SeededGenerator
    private let seed: UInt64
    private var lines: [String] = []
    private var counter = 0

    init(seed: UInt64) {
        self.seed = seed
        random = SeededGenerator(seed: seed)
    }

    static func make(seed: UInt64) -> DockerfileCase {
        var generator = DockerfileCaseGenerator(seed: seed)
        return generator.make()
    }

    // MARK: Choices

    private mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }
    private mutating func pick<T>(_ choices: [T]) -> T { choices.randomElement(using: &random)! }
    private mutating func number(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    private mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    // MARK: Context

    static let fileNames = [
        "a.txt", "b.txt", "notes.md", ".hidden", ".env", "keep.log", "app.log", "run.sh", "data-1", "data-22",
        "sub/x.txt", "sub/y.log", "sub/.dot", "sub/deep/z.txt", "other/o.txt", "Makefile",
    ]
    static let ignoreLines = [
        "*.log", "!keep.log", "sub/deep", ".env", "**/*.md", "sub/**", "!sub/x.txt", "other", "data-?", "*/.dot", "# a comment",
    ]

    private mutating func context() -> (entries: [(path: String, entry: DockerfileCase.Entry)], files: [String]) {
        var entries: [(path: String, entry: DockerfileCase.Entry)] = []
        var files: [String] = []
        for name in Self.fileNames where chance(45) {
            let mode: UInt32 = name.hasSuffix(".sh") ? 0o755 : pick([0o644, 0o644, 0o600, 0o755, 0o640])
            entries.append((name, .file("\(name) of seed \(seed)\n", mode: mode)))
            files.append(name)
        }
        if files.isEmpty {
            entries.append(("a.txt", .file("a\n", mode: 0o644)))
            files.append("a.txt")
        }
        if chance(30) { entries.append(("empty", .directory(mode: pick([0o755, 0o700, 0o750])))) }
        if chance(40), let target = files.filter({ !$0.contains("/") }).randomElement(using: &random) {
            entries.append(("hard-\(target)", .hardLink(to: target)))
            files.append("hard-\(target)")
        }
        if chance(40), let target = files.randomElement(using: &random) {
            entries.append(("link", .symlink(to: target)))
            files.append("link")
        }
        if chance(15) { entries.append(("dangling", .symlink(to: "nowhere"))) }
        if chance(30), files.contains(where: { $0.hasPrefix("sub/") }) {
            entries.append(("sub.tar", .tar(of: ["sub"])))
            files.append("sub.tar")
        }
        if chance(35) {
            var ignore: [String] = []
            for line in Self.ignoreLines where chance(30) { ignore.append(line) }
            entries.append((".dockerignore", .file(ignore.joined(separator: "\n") + "\n", mode: 0o644)))
        }
        return (entries, files)
    }

    // MARK: Dockerfile

    /// A COPY source: a file, a directory, a glob (dots included), or the whole context.
    private mutating func copySource(_ files: [String]) -> String {
        switch number(0...11) {
        case 0: return pick(["*", "*.txt", "*.log", ".*", "?.txt", "data-*", "[ab].txt", "sub/*", "*/*.txt", "missing*", "sub/../*.md"])
        case 1: return pick(["sub", "sub/", "other", "empty", ".", "./sub/.", "link", "$F", "${F}"])
        case 2: return pick(["sub.tar", "/a.txt", "sub/deep/"])
        default: return pick(files)
        }
    }

    private mutating func copy(_ files: [String], stages: [String]) -> String {
        var flags: [String] = []
        if chance(25) { flags.append("--chown=" + pick(["1:2", "daemon", "daemon:daemon", "1234:5678", "nobody", "0"])) }
        if let stage = stages.last, chance(30) {
            let source = pick(["/tmp", "/tmp/", "/etc/passwd", "/made"])
            return "COPY --from=\(stage) \(flags.joined(separator: " ")) \(source) /from-\(stage)-\(fresh("c"))/"
        }
        let chmod = chance(20)
        if chmod { flags.append("--chmod=" + pick(["600", "755", "0640", "444"])) }
        let count = chance(25) ? 2 : 1
        let sources = (0..<count).map { _ in copySource(files) }
        // Current BuildKit makes a `--chmod` copy's missing parents with its mode, Docker 20.10's
        // 0755: such copies go into a directory that is there.
        let destination: String
        if chmod {
            destination = "/tmp/"
        } else if count == 1, !sources[0].contains(where: { "*?[".contains($0) }), chance(40) {
            destination = pick(["/", "", "../"]) + fresh("copied")
        } else {
            destination = pick(["/", "", "./", "${D}"]) + fresh("dir") + "/"
        }
        let keyword = chance(20) ? "ADD" : "COPY"
        return ([keyword] + flags + sources + [destination]).joined(separator: " ")
    }

    private mutating func run() -> String {
        let out = "/tmp/" + fresh("r")
        let command = pick([
            "echo \"$A ${B:-unset} ${C:+set}\" > \(out)",
            "mkdir -p /made && echo x > /made/f && ln /made/f /made/hard",
            "mkdir -p /made && ln -sf ../etc/passwd /made/sym",
            "id > \(out)",
            "pwd > \(out)",
            "touch \(out) && chmod 640 \(out)",
            "echo $FOO-$HOME > \(out)",
            "mkdir -p \(out) && touch \(out)/.dot \(out)/plain",
            "rm -rf /made",
            "ls -1a . > \(out)",
            "cat /etc/group | wc -l > \(out)",
        ])
        if chance(15) { return "RUN --mount=type=bind,target=/ctx ls -1a /ctx > \(out)" }
        if chance(10) { return "RUN --mount=type=bind,target=/ctx,rw touch /ctx/new && ls -1a /ctx > \(out)" }
        if chance(15) { return "RUN [\"sh\", \"-c\", \"\(command.replacingOccurrences(of: "\"", with: "\\\""))\"]" }
        return "RUN " + command
    }

    private mutating func stage(_ index: Int, files: [String], stages: [String]) {
        let base = stages.isEmpty || chance(50) ? "busybox" : pick(stages)
        let name = "s\(index)"
        lines.append("FROM \(base) AS \(name)")
        var user = "root"
        for _ in 0..<number(2...8) {
            switch number(0...13) {
            case 0:
                lines.append(pick([
                    "ARG A", "ARG A=stage-a", "ARG B=\"b value\"", "ARG C", "ARG FOO=${A:-foo}", "ARG F=a.txt", "ARG D=/dest-arg/",
                ]))
            case 1:
                lines.append(pick([
                    "ENV A=env-$A", "ENV B=${B}-more C=c", "ENV FOO \"spaced value\"", "ENV PATH=$PATH:/opt",
                    "ENV Q=\"a\\\"b\" R='c $A' S=\\$A", "ENV F=${F:-b.txt} D=${D:-/dest-env/}",
                ]))
            case 2: lines.append("WORKDIR " + pick(["/w", "/w/$A", "sub", "/srv/app", "/", "rel/dir", "../up", "$D", "/w/./x/"]))
            case 3:
                user = pick(["root", "1000:1000", "daemon", "1000", "nobody"])
                lines.append("USER \(user)")
            case 4: lines.append(pick(["LABEL a=$A", "LABEL \"b c\"=d e=f", "LABEL version=${FOO:-none}"]))
            case 5: lines.append(pick(["EXPOSE 80", "EXPOSE 53/udp 443/tcp", "EXPOSE 8080/TCP", "EXPOSE 7000-7002", "EXPOSE ${PORT:-9}"]))
            case 6: lines.append(pick(["CMD [\"sh\", \"-c\", \"echo $A\"]", "CMD echo hi", "ENTRYPOINT [\"/bin/sh\"]", "ENTRYPOINT echo"]))
            case 7:
                lines.append(pick([
                    "STOPSIGNAL SIGINT", "VOLUME /data", "SHELL [\"/bin/sh\", \"-ec\"]", "HEALTHCHECK CMD true",
                    "HEALTHCHECK --interval=5s --retries=2 CMD [\"true\"]", "VOLUME [\"/v1\", \"/v2\"]", "STOPSIGNAL 9",
                ]))
            case 8, 9, 10: lines.append(copy(files, stages: stages))
            default:
                // Steps run as root: a user's steps could not write to / in either builder.
                if user != "root" {
                    user = "root"
                    lines.append("USER root")
                }
                lines.append(run())
            }
        }
    }

    mutating func make() -> DockerfileCase {
        let (entries, files) = context()
        if chance(40) { lines.append(pick(["ARG A=global-a", "ARG B", "ARG FOO=global"])) }
        var stages: [String] = []
        for index in 0..<number(1...3) {
            stage(index, files: files, stages: stages)
            stages.append("s\(index)")
        }
        var arguments: [String: String] = [:]
        if chance(30) { arguments["A"] = "from-cli" }
        if chance(15) { arguments["C"] = "" }
        return DockerfileCase(seed: seed, dockerfile: lines.joined(separator: "\n") + "\n", entries: entries, buildArguments: arguments)
    }
}
