import Foundation

/// How the file of an `ADD <url>` download is named: the one rule the Dockerfile frontend (which
/// copies the file) and the HTTP source (which writes it) share.
///
/// As BuildKit names it: the last element of the URL's *decoded* path, so `%2f` cannot smuggle a
/// `/` (or a `..`) into the name — `…/..%2f..%2ftmp%2fx.txt` is `x.txt` — and a name that is
/// still unsafe (empty, `.`, `..`, a control character) becomes `download`.
public enum DownloadFileName {
    /// The name used when a URL's path has none (`http://host/`), as BuildKit's frontend says.
    public static let unnamed = "__unnamed__"

    /// The name of the file `url` downloads to: the base of its decoded path, ``unnamed`` when
    /// the path has no last element, always a single safe component.
    public static func of(url: String) -> String {
        let base = baseName(of: decodedPath(of: url))
        return safe(base == "." || base == "/" ? unnamed : base)
    }

    /// `name` as a single path component safe to create in a directory: its last element (of
    /// `/`-separated parts, trimmed), or `download` when that is empty, `.`, `..` or holds a
    /// control character (NUL included).
    public static func safe(_ name: String) -> String {
        let base = baseName(of: name.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !base.isEmpty, base != ".", base != "..", base != "/",
            !base.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return "download" }
        return base
    }

    /// The percent-decoded path of `url`: what follows the authority, before any query or fragment.
    static func decodedPath(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
        }
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        return String(rest).removingPercentEncoding ?? String(rest)
    }

    /// Go's `path.Base`: the last element after trailing slashes are dropped; `.` for an empty
    /// path and `/` for one of slashes only.
    static func baseName(of path: String) -> String {
        guard !path.isEmpty else { return "." }
        let trimmed = path.reversed().drop { $0 == "/" }.reversed()
        guard !trimmed.isEmpty else { return "/" }
        return String(String(trimmed).split(separator: "/", omittingEmptySubsequences: false).last ?? "")
    }
}
