#if canImport(Glibc)
    import Glibc
#endif
public import Foundation

/// The paths of an application source S2I leaves out of the build: those its `.s2iignore`
/// names, and those `--exclude` matches (by default the `.git` directory).
///
/// `.s2iignore` is read as S2I reads it: one pattern a line (spaces trimmed, `#` lines and
/// empty lines skipped), each globbed in the source's top directory with Go's `filepath.Glob`
/// rules (`*` and `?` stay inside one path element, `[…]` classes, no recursion: a pattern
/// names paths at its own depth, and a directory it names goes whole); a `!pattern` line takes
/// back the paths named so far that it matches.
public struct S2ISourceExclusions: Sendable, Hashable {
    /// The excluded paths, relative to the source, sorted.
    public let paths: [String]

    /// S2I's default `--exclude`: the `.git` directory at any depth.
    public static let defaultPattern = #"(^|/)\.git(/|$)"#

    /// The exclusions of the source in `directory`, with `--exclude` `pattern` (a regular
    /// expression matched against each path relative to the source; empty excludes nothing).
    ///
    /// - Throws: ``S2IError`` `invalidArgument` for a pattern that is not a regular expression,
    ///   `unavailable` for an unreadable `.s2iignore`.
    public init(source directory: URL, excludePattern pattern: String = Self.defaultPattern) throws {
        var excluded = try Self.ignored(in: directory)
        if !pattern.isEmpty {
            let expression: NSRegularExpression
            do {
                expression = try NSRegularExpression(pattern: pattern)
            } catch {
                throw S2IError(.invalidArgument, "--exclude \(pattern) is not a regular expression", underlying: error)
            }
            excluded.formUnion(Self.matching(expression, under: directory))
        }
        paths = excluded.sorted()
    }

    /// The exclusions as `.dockerignore` patterns, each a literal path, for a local source of
    /// the build graph.
    public var patterns: [String] {
        paths.map { path in
            var escaped = ""
            for character in path {
                if "*?[]\\".contains(character) || (escaped.isEmpty && character == "!") { escaped.append("\\") }
                escaped.append(character)
            }
            return escaped
        }
    }

    /// Whether `path` (relative to the source) is excluded, itself or through a directory.
    public func excludes(_ path: String) -> Bool {
        paths.contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    /// The paths `.s2iignore` names.
    private static func ignored(in directory: URL) throws -> Set<String> {
        let file = directory.appendingPathComponent(".s2iignore")
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        guard let text = try? String(contentsOf: file, encoding: .utf8) else {
            throw S2IError(.unavailable, "cannot read \(file.path)")
        }
        let root = directory.standardizedFileURL.path
        let base = escapedForGlob(root)
        var ignored: Set<String> = []
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let spec = line.trimmingCharacters(in: CharacterSet(charactersIn: " "))
            guard !spec.isEmpty, !spec.hasPrefix("#") else { continue }
            if spec.hasPrefix("!") {
                let pattern = base + "/" + spec.dropFirst()
                ignored = ignored.filter { fnmatch(pattern, root + "/" + $0, FNM_PATHNAME) != 0 }
                continue
            }
            for match in glob(base + "/" + spec) {
                let relative = String(match.dropFirst(root.count + 1))
                if !relative.isEmpty { ignored.insert(relative) }
            }
        }
        return ignored
    }

    /// The paths `pattern` matches, as libc's glob finds them (dot files included, as Go's
    /// glob includes them).
    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, GLOB_PERIOD, nil, &result) == 0 else { return [] }
        // GLOB_PERIOD lets `*` match `.` and `..` too, which Go's directory reading never lists.
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
            .filter { !$0.hasSuffix("/.") && !$0.hasSuffix("/..") }
    }

    /// The source's paths `expression` matches; a matched directory is not walked further.
    private static func matching(_ expression: NSRegularExpression, under directory: URL) -> Set<String> {
        var matched: Set<String> = []
        func walk(_ relative: String) {
            let host = relative.isEmpty ? directory.path : directory.path + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: host) else { return }
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                if expression.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil {
                    matched.insert(path)
                    continue
                }
                var info = stat()
                if lstat(directory.path + "/" + path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { walk(path) }
            }
        }
        walk("")
        return matched
    }

    /// `path` with glob's special characters escaped, to be a literal prefix of a pattern.
    private static func escapedForGlob(_ path: String) -> String {
        var escaped = ""
        for character in path {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
