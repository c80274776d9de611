public import Foundation
import HoistBuild
import HoistOCI
import HoistRegistry

/// The ``FrontendGateway`` a frontend gets from a build on a client: parts of a graph solved on
/// the client's backend with the build's local directories, images resolved from the store as
/// the build's pull policy says, warnings shown with the build's progress.
struct ClientGateway: FrontendGateway {
    let client: Client
    /// The build's local sources by name: `context`, and named contexts.
    let localDirectories: [String: URL]
    let pullPolicy: PullPolicy
    let registry: RegistryConfiguration
    let progress: ProgressReporter

    func solve(_ state: BuildState) async throws -> any GatewayReference {
        // A local source alone is no file system to unpack: it is read as a copy of it takes
        // it (what its exclusions leave), cached by content as any copy.
        var solved = state
        if case .source(.local) = state.vertex.op { solved = BuildState.scratch.copy(from: state, "/", to: "/") }
        return try await client.solve(solved, localDirectories: localDirectories, progress: progress)
    }

    func resolveImageConfig(_ reference: String, platform: Platform?) async throws -> ResolvedImage {
        try await client.resolveImage(reference, platform: platform, policy: pullPolicy, configuration: registry)
    }

    func warn(_ warning: BuildWarning) {
        progress.report(.warning(warning))
    }
}
