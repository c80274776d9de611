import ArgumentParser
import Foundation
import Hoist
import HoistRegistry
import HoistS2I

struct S2ICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s2i", abstract: "Build images from source with builder images, as OpenShift's s2i does.",
        subcommands: [S2IBuildCommand.self, S2IUsageCommand.self])
}

struct S2IBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build SOURCE with BUILDER_IMAGE's assemble script into TAG.",
        discussion: """
            Scripts are looked for in --scripts-url, the source's .s2i/bin, then the builder's \
            io.openshift.s2i.scripts-url label (or STI_SCRIPTS_URL). Scripts and source go to the \
            builder's io.openshift.s2i.destination (default /tmp) as scripts/ and src/.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The source: a directory, or a git repository (URL, or a directory with --ref).") var source: String

    @Option(name: .long, help: "The branch, tag or commit of a git source.")
    var ref: String?

    @Flag(name: .long, help: "Copy a local source as it is, even when it is a git repository.")
    var copy = false
    @Argument(help: "The builder image.") var builder: String
    @Argument(help: "The output image's name.") var tag: String?

    @Option(name: [.short, .customLong("scripts-url")], help: "Where to look for scripts first: image://, file:// or http(s)://.")
    var scriptsURL: String?

    @Option(name: [.short, .customLong("env")], help: ArgumentHelp("An environment variable for assemble and the image; repeatable.", valueName: "name=value"))
    var environment: [String] = []

    @Option(name: [.customShort("E"), .customLong("environment-file")], help: "A file of NAME=value lines.")
    var environmentFile: String?

    @Option(name: .customLong("assemble-user"), help: "The user assemble runs as.")
    var assembleUser: String?

    @Option(name: [.customShort("u"), .customLong("allowed-uids")], help: "User ID ranges the build may assemble as, e.g. 1- or 1000-2000.")
    var allowedUIDs: String?

    @Option(name: .customLong("image-scripts-url"), help: "Where scripts are in the builder when nothing else says (default image:///usr/libexec/s2i).")
    var imageScriptsURL: String?

    @Option(name: .customLong("as-dockerfile"), help: "Write the equivalent Dockerfile here (and upload/ beside it) instead of building.")
    var asDockerfile: String?

    @Option(name: .customLong("runtime-image"), help: "Make the output from this image, with the built artifacts copied in.")
    var runtimeImage: String?

    @Option(name: [.short, .customLong("runtime-artifact")], help: ArgumentHelp("What to copy from the built image into the runtime image's working directory; repeatable.", valueName: "source[:destination]"))
    var runtimeArtifacts: [String] = []

    @Flag(name: .long, help: "Restore the artifacts the previous image of TAG saves (save-artifacts) before assemble.")
    var incremental = false

    @Option(name: .customLong("incremental-pull-policy"), help: "When to pull the previous image: always, if-not-present (default) or never.")
    var incrementalPullPolicy: String = "if-not-present"

    @Option(name: .long, help: "The network assemble gets: default (its own namespace on the bridge network), host or none.")
    var network: String = "default"

    @Option(name: .customLong("pull-policy"), help: "When to pull the builder: always, missing (default) or never.")
    var pullPolicy: String = "missing"

    @Option(name: .customLong("context-dir"), help: "The sub-directory of the source with the application.")
    var contextDirectory: String?

    @Option(name: [.customShort("n"), .customLong("application-name")], help: "The image's display name (default: TAG).")
    var applicationName: String?

    @Option(name: .customLong("description"), help: "The application's description (io.k8s.description).")
    var applicationDescription: String?

    @Option(name: .customLong("cap-drop"), help: ArgumentHelp("Capabilities assemble runs without (comma-separated, repeatable).", valueName: "capability"))
    var capabilitiesDropped: [String] = []

    @Option(name: [.short, .long], help: "The memory assemble may use (e.g. 512m).")
    var memory: String?

    @Option(name: .customLong("cpu-quota"), help: "CPU time assemble gets per period, in microseconds.")
    var cpuQuota: Int64?

    @Option(name: .customLong("cpu-period"), help: "The CPU period in microseconds (default 100000).")
    var cpuPeriod: UInt64?

    @Option(name: .long, help: "Progress output: auto, plain, tty or rawjson.")
    var progress: String = "auto"

    func run() async throws {
        guard let policy = PullPolicy(rawValue: pullPolicy) else { throw ValidationError("--pull-policy \(pullPolicy): use always, missing or never") }
        guard let mode = ProgressRenderer.Mode(rawValue: progress) else { throw ValidationError("unknown --progress \(progress)") }
        let renderer = ProgressRenderer(mode: mode, output: .standardError)
        try await reportingErrors {
            var request = S2IRequest(
                source: URL(fileURLWithPath: source), builderImage: builder, tag: tag, scriptsURL: scriptsURL, environment: environment,
                environmentFile: environmentFile.map { URL(fileURLWithPath: $0) }, assembleUser: assembleUser, allowedUIDs: allowedUIDs,
                imageScriptsURL: imageScriptsURL)
            request.incremental = incremental
            request.incrementalPullPolicy = incrementalPullPolicy
            request.network = network
            request.contextDirectory = contextDirectory
            request.displayName = applicationName
            request.description = applicationDescription
            request.capabilitiesDropped = capabilitiesDropped.flatMap { $0.split(separator: ",").map(String.init) }
            request.memoryBytes = try memory.map(ContainerOptions.bytes)
            request.cpuQuota = cpuQuota
            request.cpuPeriod = cpuPeriod
            // A URL, or a local repository asked for at a ref, is cloned; a directory is copied.
            let looksRemote = source.contains("://") || source.hasPrefix("git@")
            if !copy && (looksRemote || ref != nil) {
                request.repository = source
                request.sourceRef = ref
            }
            request.runtimeImage = runtimeImage
            request.runtimeArtifacts = runtimeArtifacts
            let image: ImageSummary?
            do {
                image = try await global.client().s2iBuild(
                    request, pullPolicy: policy, asDockerfile: asDockerfile.map { URL(fileURLWithPath: $0) }, progress: renderer.reporter)
            } catch {
                renderer.finish()
                throw error
            }
            renderer.finish()
            if let image { print(image.id) }
        }
    }
}

struct S2IUsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "usage", abstract: "Print the builder image's usage script output.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The builder image.") var builder: String

    @Option(name: [.short, .customLong("scripts-url")], help: "Where to look for scripts first.")
    var scriptsURL: String?

    func run() async throws {
        let status = try await reportingErrors { () -> Int32 in
            let run = try await global.client().s2iUsage(builder, scriptsURL: scriptsURL)
            FileHandle.standardOutput.write(run.standardOutputData)
            FileHandle.standardError.write(run.standardErrorData)
            return run.exitCode
        }
        if status != 0 { throw ExitCode(status) }
    }
}
