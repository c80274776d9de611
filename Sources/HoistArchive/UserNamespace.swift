import Foundation

/// The user namespace this process runs in, as `/proc/self/uid_map` tells: the initial one
/// maps every id to itself; the one Hoist makes for an unprivileged user (a rootless session)
/// maps root to that user. Layer code asks because a nested namespace cannot make device nodes
/// or write `trusted.*` xattrs.
public enum UserNamespace {
    /// The id outside the namespace that root inside maps to; nil in the initial namespace.
    public static let rootOwner: UInt32? = {
        guard let map = try? String(contentsOfFile: "/proc/self/uid_map", encoding: .utf8) else { return nil }
        for line in map.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt32($0) }
            guard fields.count == 3, fields[0] == 0 else { continue }
            // The identity map of the initial namespace.
            if fields[1] == 0 && fields[2] == UInt32.max { return nil }
            return fields[1]
        }
        return nil
    }()

    /// Whether this process runs in a user namespace below the initial one.
    public static var isNested: Bool { rootOwner != nil }
}
