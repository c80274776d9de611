/// Decides which relative paths a pattern list leaves out (`.dockerignore`, `COPY --exclude`).
///
/// The pattern language belongs to the frontend (Docker's matcher), so the build engine takes
/// it as a function made by whoever wires the build together.
public struct PathFilter: Sendable {
    /// Makes the exclusion test for a list of patterns; throws for an invalid pattern.
    public let make: @Sendable ([String]) throws -> @Sendable (String) -> Bool

    public init(_ make: @escaping @Sendable ([String]) throws -> @Sendable (String) -> Bool) {
        self.make = make
    }

    /// Excludes nothing whatever the patterns say; for graphs that use none.
    public static let none = PathFilter { _ in { _ in false } }
}
