import Foundation

/// Where `docker cp` puts a copy, one rule for every backend: the entry keeps the source's name
/// when the destination is a directory, else it takes the destination's last component and
/// goes into its parent.
package enum CopyTarget {
    /// The host side (`docker cp CONTAINER:SRC DEST`): into `destination` when it is a
    /// directory (the entry keeps its name, `entry` nil), else into its parent as its last
    /// component; `notFound` when that parent is not a directory.
    package static func onHost(_ destination: String) throws -> (directory: String, entry: String?) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination, isDirectory: &isDirectory), isDirectory.boolValue {
            return (destination, nil)
        }
        let parent = parent(destination)
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClientError(.notFound, "\(parent): no such directory")
        }
        return (parent, lastComponent(destination))
    }

    /// The container side (`docker cp SRC CONTAINER:DEST`) once the backend has looked at
    /// `destination` in container `container`: into it when it is a directory there (the entry
    /// named as `source`), else into its parent under its last component. A destination
    /// ending in `/` that is no directory is `notFound`.
    package static func inContainer(_ container: String, source: String, destination: String, isDirectory: Bool) throws
        -> (directory: String, entry: String) {
        if isDirectory { return (destination, lastComponent(source)) }
        guard !destination.hasSuffix("/") else {
            throw ClientError(.notFound, "no such directory in container \(container): \(destination)")
        }
        return (parent(destination), lastComponent(destination))
    }

    /// The last component of a slash-separated path; empty for `/`.
    package static func lastComponent(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? ""
    }

    /// The path without its last component: `/` for `/a`, `` for `a`.
    package static func parent(_ path: String) -> String {
        let components = path.split(separator: "/").dropLast()
        return (path.hasPrefix("/") ? "/" : "") + components.joined(separator: "/")
    }
}
