public import HoistOCI

/// What a frontend can ask of the build it runs in, while it makes its graph (BuildKit's
/// gateway client): solve part of a graph and read the result — its context (``BuildState/local(_:include:exclude:)``
/// named `context`, or another named context), a stage — resolve an image with its digest to
/// pin it, and warn. A frontend can so read a file, decide, and return a different graph.
///
/// ```swift
/// let context = try await gateway.solve(.local("context", include: ["app.toml"]))
/// let settings = try context.readFile("/app.toml", offset: 0, length: nil)
/// let base = try await gateway.resolveImageConfig("busybox", platform: nil)
/// return BuildState.image(base.pinnedReference).run(["sh", "-c", "make"])
/// ```
public protocol FrontendGateway: Sendable {
    /// Builds `state` (its steps cached as any build's, run on the build's backend) and returns
    /// its files. A local source alone is read as its files (what `.dockerignore` leaves).
    func solve(_ state: BuildState) async throws -> any GatewayReference
    /// The image `reference` as the build resolves it (pulled as its pull policy says), for
    /// `platform` (default: the host's), with its manifest's digest and its raw config.
    func resolveImageConfig(_ reference: String, platform: Platform?) async throws -> ResolvedImage
    /// Shows `warning` with the build's progress (and its other warnings) at once.
    func warn(_ warning: BuildWarning)
}
