public import Foundation

/// A `SOURCE:DESTINATION` pair, as S2I's `-i/--inject` and `-a/--runtime-artifact` take them.
public struct S2IPathMapping: Sendable, Hashable, CustomStringConvertible {
    /// For an injection a directory (or file) of this machine; for a runtime artifact an
    /// absolute path in the built image.
    public var source: String
    /// Where it goes; empty or relative for the image's working directory (injections) or the
    /// runtime image's working directory (runtime artifacts).
    public var destination: String
    /// Injections only: keep the files in the image instead of truncating them after assemble.
    public var keep: Bool

    public init(source: String, destination: String, keep: Bool = false) {
        self.source = source
        self.destination = destination
        self.keep = keep
    }

    public var description: String { "\(source):\(destination)" }

    /// Reads one flag value as S2I's `VolumeList.Set` does: pairs separated by `;`, each split
    /// at its last `:` (no `:` means no destination), quotes trimmed.
    ///
    /// - Throws: ``S2IError`` `invalidArgument` for an empty pair or one with characters S2I
    ///   refuses in file names (`;*?"<>|%#$!+{}&[],'` and the backtick).
    public static func parseList(_ value: String, option: String) throws -> [S2IPathMapping] {
        try value.split(separator: ";", omittingEmptySubsequences: false).map { part in
            guard !part.isEmpty else {
                throw S2IError(.invalidArgument, "\(option) \(value): invalid format, must be source:destination")
            }
            let text = String(part)
            let (source, destination) = text.lastIndex(of: ":").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) }
                ?? (text, "")
            let trimmed = (source.trimmingCharacters(in: quotes), destination.trimmingCharacters(in: quotes))
            guard !trimmed.0.contains(where: invalidCharacters.contains), !trimmed.1.contains(where: invalidCharacters.contains) else {
                throw S2IError(.invalidArgument, "\(option) \(value): invalid characters in filename: \"\(text)\"")
            }
            return S2IPathMapping(source: trimmed.0, destination: trimmed.1)
        }
    }

    /// The absolute destination in an image whose working directory is `workingDirectory`: a
    /// destination that is empty, `.` or relative is taken under it (S2I's
    /// `FixInjectionsWithRelativePath`).
    public func destination(under workingDirectory: String) -> String {
        let base = workingDirectory.isEmpty ? "/" : workingDirectory
        let path = destination.hasPrefix("/") ? destination : base + "/" + destination
        return URL(fileURLWithPath: path).standardized.path
    }

    private static let quotes = CharacterSet(charactersIn: "\"'")
    private static let invalidCharacters = Set(";*?\"<>|%#$!+{}&[],'`")
}
