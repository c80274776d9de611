public import Foundation

/// A result a frontend solved through its ``FrontendGateway`` (BuildKit's gateway reference):
/// its files, read without exporting an image.
public protocol GatewayReference: Sendable {
    /// The bytes of file `path` from `offset`: `length` of them, or to the end when nil (fewer
    /// where the file ends first). Throws `notFound` for a path that is not a file there.
    func readFile(_ path: String, offset: Int, length: Int?) throws -> Data
    /// The entries of directory `path`, sorted by name, with their status; only those matching
    /// one of `include` (shell patterns: `*.c`) when given, and none matching one of `exclude`.
    func entries(in path: String, include: [String], exclude: [String]) throws -> [FileStatus]
    /// What `path` is, not following a final symbolic link.
    func stat(_ path: String) throws -> FileStatus
}
