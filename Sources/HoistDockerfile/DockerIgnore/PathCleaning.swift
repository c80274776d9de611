/// Lexical path cleaning as Go's `path.Clean` does it: collapse `//`, drop `.` segments,
/// resolve `..` against the previous segment, drop a trailing `/`; "" becomes ".".
func cleanPath(_ path: String) -> String {
    if path.isEmpty { return "." }
    let rooted = path.hasPrefix("/")
    var segments: [Substring] = []
    for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
        switch segment {
        case ".": continue
        case "..":
            if let last = segments.last, last != ".." {
                segments.removeLast()
            } else if !rooted {
                segments.append(segment)
            }
        default: segments.append(segment)
        }
    }
    let joined = segments.joined(separator: "/")
    if rooted { return "/" + joined }
    return joined.isEmpty ? "." : joined
}

/// Go's `path.Dir`: everything before the last `/`, cleaned.
func directoryOfPath(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return cleanPath(String(path[...slash]))
}
