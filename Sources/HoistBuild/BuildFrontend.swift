/// A producer of build graphs: it reads what a build was given (a Dockerfile, or a file in a
/// format of its own) and returns the ``BuildState`` to solve, written with the same public
/// API a Swift program uses. Hoist's Dockerfile frontend is one; S2I plans a Dockerfile that
/// goes through it. A package adds its own with ``FrontendRegistry/register(_:as:)``, and a
/// Dockerfile whose first line says `# syntax=NAME` is then built by the frontend of that name.
///
/// ```swift
/// struct Greeting: BuildFrontend {
///     func graph(_ request: FrontendRequest) async throws -> BuildState {
///         BuildState.image("busybox").mkfile("/greeting", contents: Array(request.definition.utf8))
///     }
/// }
/// FrontendRegistry.register(Greeting(), as: "example/greeting")
/// ```
public protocol BuildFrontend: Sendable {
    /// The graph of the build `request` describes. Throw an error naming the file and line
    /// for bad input; attach doubts with ``BuildState/warning(_:)``.
    func graph(_ request: FrontendRequest) async throws -> BuildState
}
