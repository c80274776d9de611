public import HoistBuild
import HoistOCI

/// The Dockerfile frontend as a ``BuildFrontend``: parses the Dockerfile, runs its build
/// checks, converts the target stage with ``DockerfileConverter`` and returns it as a
/// ``BuildState`` carrying the image config, the history and the checks' located warnings.
/// `hoist build`, `hoist build --print-graph` and S2I builds (whose plan is a Dockerfile) all
/// get their graphs here; it has no way into the solver a Swift program lacks.
public struct DockerfileFrontend: BuildFrontend {
    /// `.dockerignore` patterns of the build context.
    public var contextExcludes: [String] = []
    /// `--label` values, applied over the Dockerfile's.
    public var labels: [String: String] = [:]
    /// `--allow security.insecure`.
    public var allowInsecure = false
    /// `--allow network.host` (implied by a build-wide `--network=host`, as buildx adds it).
    public var allowHostNetwork = false
    /// `--build-context name=DIR` names.
    public var namedContexts: Set<String> = []
    /// `--build-context name=docker-image://REF`.
    public var contextImages: [String: String] = [:]
    /// The `.dockerignore` patterns of each named build context directory.
    public var namedContextExcludes: [String: [String]] = [:]
    /// Whether step names begin with their platform (a build for several platforms).
    public var namesPlatforms = false
    /// The network of RUN steps without `--network`.
    public var defaultNetwork: NetworkMode = .sandbox
    /// The environment of a base image already at hand, for the `UndefinedVar` check (nil
    /// skips that check for stages on the image).
    public var baseImageEnvironment: @Sendable (String) -> [(name: String, value: String)]? = { _ in nil }

    public init() {}

    /// The target stage's graph. Throws ``DockerfileError`` (file:line:column) for a bad
    /// Dockerfile, and `failedPrecondition` when `# check=error=true` makes a warning fatal.
    public func graph(_ request: FrontendRequest) async throws -> BuildState {
        let dockerfile = try Dockerfile.parse(request.definition, fileName: request.fileName)
        var arguments = BuildArguments(values: request.buildArguments)
        arguments.targetStage = request.target
        // As BuildKit: TARGETPLATFORM and the rest from the normalised platform (`linux/arm64`, not `linux/arm64/v8`).
        let targetPlatform = request.platform?.normalized
        if let platform = targetPlatform {
            arguments.targetPlatform = PlatformSpecifier(os: platform.os, architecture: platform.architecture, variant: platform.variant ?? "")
        }
        var warnings: [BuildWarning] = []
        if let syntax = dockerfile.syntax.directives.all.first(where: { $0.name == "syntax" }), !Self.isDockerfileImage(syntax.value) {
            warnings.append(BuildWarning(
                rule: "UnknownSyntax",
                message: "no frontend is registered as \(syntax.value): built with the built-in Dockerfile frontend",
                file: request.fileName, line: syntax.line, column: 1))
        }
        let checker = BuildChecker(
            arguments: arguments, ignoreMatcher: try? DockerIgnoreMatcher(patterns: contextExcludes),
            baseImageEnvironment: baseImageEnvironment)
        let report = try checker.check(dockerfile)
        warnings += report.warnings.map { warning in
            BuildWarning(
                rule: warning.rule.rawValue, message: warning.message, file: request.fileName, line: warning.range.start.line,
                column: warning.range.start.column)
        }
        if report.failsBuild, let first = warnings.first(where: { $0.rule != "UnknownSyntax" }) {
            var rules: [String] = []
            for warning in report.warnings where !rules.contains(warning.rule.rawValue) { rules.append(warning.rule.rawValue) }
            // BuildKit's words, then the first finding.
            throw BuildError(.failedPrecondition, "lint violation found for rules: \(rules.joined(separator: ", ")) (error=true): \(first)")
        }
        var converter = try DockerfileConverter(
            dockerfile: dockerfile, arguments: arguments, images: request.images, contextExcludes: contextExcludes,
            labels: labels, allowInsecure: allowInsecure)
        converter.namedContexts = namedContexts
        converter.contextImages = contextImages
        converter.namedContextExcludes = namedContextExcludes
        converter.defaultNetwork = defaultNetwork
        converter.targetPlatform = targetPlatform
        converter.namesPlatforms = namesPlatforms
        converter.allowHostNetwork = allowHostNetwork || defaultNetwork == .host
        let plan = try await converter.convert(target: request.target)
        return BuildState(plan.target, imageConfig: plan.config, baseHistory: plan.baseHistory, steps: plan.steps, warnings: warnings)
    }

    /// Whether a `# syntax=` image is Docker's own Dockerfile frontend, which this one stands
    /// in for without a word (`docker/dockerfile:1`, `docker.io/docker/dockerfile-upstream:master`).
    static func isDockerfileImage(_ reference: String) -> Bool {
        let name = reference.split(separator: "@").first.map(String.init) ?? reference
        let repository = name.split(separator: ":").first.map(String.init) ?? name
        return ["docker/dockerfile", "docker/dockerfile-upstream"].contains { candidate in
            repository == candidate || repository == "docker.io/" + candidate
        }
    }
}
