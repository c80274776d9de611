import ArgumentParser
import Foundation
import Hoist
import HoistRegistry
import HoistS2I

/// The options every `hoist s2i` command takes, as `s2i`'s common flags.
struct S2ICommonOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Print no progress and no assemble output, only errors (and the image ID).")
    var quiet = false

    @Flag(name: .long, help: "Restore the artifacts the previous image saves (save-artifacts) before assemble.")
    var incremental = false

    @Option(name: .customLong("incremental-from-tag"), help: "The previous image of an incremental build, when it is not TAG.")
    var incrementalFromTag: String?

    @Flag(name: .customLong("rm"), help: "Remove the previous image after an incremental build.")
    var removePreviousImage = false

    @Option(name: .customLong("callback-url"), help: "A URL POSTed {\"success\": …, \"labels\": {…}} when the build ends.")
    var callbackURL: String?

    @Option(name: [.short, .customLong("pull-policy")], help: "When to pull the builder image: always, if-not-present (default) or never.")
    var pullPolicy = S2IPullPolicy.ifNotPresent.rawValue

    @Option(name: .customLong("incremental-pull-policy"), help: "When to pull the previous image: always, if-not-present (default) or never.")
    var incrementalPullPolicy = S2IPullPolicy.ifNotPresent.rawValue

    @Option(name: .customLong("runtime-pull-policy"), help: "When to pull the runtime image: always, if-not-present (default) or never.")
    var runtimePullPolicy = S2IPullPolicy.ifNotPresent.rawValue

    @Option(name: .customLong("dockercfg-path"), help: ArgumentHelp("The Docker configuration file with registry credentials (config.json, or the legacy .dockercfg).", valueName: "file"))
    var dockerConfigPath: String?

    @Option(name: [.short, .long], help: "Where scripts, source and artifacts go in the image (default: the builder's io.openshift.s2i.destination, else /tmp).")
    var destination: String?

    @Option(name: .long, help: "Progress output: auto, plain, tty or rawjson.")
    var progress: String = "auto"

    /// A request with these options, the given source, builder and tag, and `registry`'s
    /// settings (with S2I's pull retries unless `--retries` says otherwise).
    func request(source: URL, builder: String, tag: String?, registry: RegistryOptions) throws -> S2IRequest {
        var request = S2IRequest(source: source, builderImage: builder, tag: tag)
        request.incremental = incremental
        request.incrementalFromTag = incrementalFromTag
        request.removePreviousImage = removePreviousImage
        request.quiet = quiet
        if let callbackURL {
            guard let url = URL(string: callbackURL), url.scheme == "http" || url.scheme == "https" else {
                throw ValidationError("--callback-url \(callbackURL): not an http(s) URL")
            }
            request.callbackURL = url
        }
        request.builderPullPolicy = try S2IPullPolicy(parsing: pullPolicy, option: "--pull-policy")
        request.incrementalPullPolicy = try S2IPullPolicy(parsing: incrementalPullPolicy, option: "--incremental-pull-policy")
        request.runtimePullPolicy = try S2IPullPolicy(parsing: runtimePullPolicy, option: "--runtime-pull-policy")
        request.dockerConfigFile = dockerConfigPath.map { URL(fileURLWithPath: $0) }
        request.destination = destination
        request.registry = registry.configuration(retry: S2IRequest.s2iPullRetry)
        request.pullRetry = request.registry.retry
        return request
    }
}
