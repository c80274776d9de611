import ArgumentParser
import Foundation
import Hoist
import HoistRegistry
import HoistS2I

struct S2ICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s2i", abstract: "Build images from source with builder images, as OpenShift's s2i does.",
        subcommands: [S2IBuildCommand.self, S2IRebuildCommand.self, S2IUsageCommand.self])
}

struct S2IBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build SOURCE with BUILDER_IMAGE's assemble script into TAG.",
        discussion: """
            Scripts are looked for in --scripts-url, the source's .s2i/bin, the builder's \
            io.openshift.s2i.scripts-url label (or io.s2i.scripts-url, or STI_SCRIPTS_URL), then \
            --image-scripts-url. Scripts and source go to the builder's io.openshift.s2i.destination \
            (or io.s2i.destination, or STI_LOCATION; default /tmp) as scripts/ and src/.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var common: S2ICommonOptions
    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The source: a directory, or a git repository (URL, or a directory with --ref).") var source: String
    @Argument(help: "The builder image.") var builder: String
    @Argument(help: "The output image's name.") var tag: String?

    @Option(name: [.short, .customLong("ref")], help: "The branch, tag or commit of a git source.")
    var ref: String?

    @Flag(name: [.short, .long], help: "Copy a local source as it is, even when it is a git repository.")
    var copy = false

    @Option(name: [.short, .customLong("scripts-url")], help: "Where to look for scripts first: image://, file:// or http(s)://.")
    var scriptsURL: String?

    @Option(name: .customLong("image-scripts-url"), help: "Where scripts are in the builder when nothing else says.")
    var imageScriptsURL = S2ILabels.defaultImageScriptsURL

    @Option(name: [.short, .customLong("env")], help: ArgumentHelp("An environment variable for assemble and the image; repeatable.", valueName: "name=value"))
    var environment: [String] = []

    @Option(name: [.customShort("E"), .customLong("environment-file")], help: "A file of NAME=value lines.")
    var environmentFile: String?

    @Option(name: .customLong("assemble-user"), help: "The user assemble runs as.")
    var assembleUser: String?

    @Option(name: .customLong("assemble-runtime-user"), help: "The user assemble-runtime runs as.")
    var assembleRuntimeUser: String?

    @Option(name: [.customShort("u"), .customLong("allowed-uids")], help: "User ID ranges the builder and runtime images may run as, e.g. 1- or 1000-2000.")
    var allowedUIDs: String?

    @Option(name: [.customShort("i"), .customLong("inject")], help: ArgumentHelp("A directory (or file) present while assemble runs and truncated after; repeatable, or joined by ;.", valueName: "source:destination"))
    var injections: [String] = []

    @Option(name: .customLong("context-dir"), help: "The sub-directory of the source with the application.")
    var contextDirectory: String?

    @Option(name: .long, help: "A regular expression for source paths left out (default: the .git directory; \"\" leaves nothing out).")
    var exclude = S2ISourceExclusions.defaultPattern

    @Option(name: [.customShort("n"), .customLong("application-name")], help: "The image's display name (default: TAG).")
    var applicationName: String?

    @Option(name: .customLong("description"), help: "The application's description (io.k8s.description).")
    var applicationDescription: String?

    @Option(name: .customLong("as-dockerfile"), help: "Write the equivalent Dockerfile here (and upload/ beside it) instead of building.")
    var asDockerfile: String?

    @Option(name: .customLong("runtime-image"), help: "Make the output from this image, with the built artifacts copied in.")
    var runtimeImage: String?

    @Option(name: [.customShort("a"), .customLong("runtime-artifact")], help: ArgumentHelp("What to copy from the built image into the runtime image's working directory; repeatable.", valueName: "source[:destination]"))
    var runtimeArtifacts: [String] = []

    @Flag(name: .long, help: "Run the built image afterwards.")
    var run = false

    @Option(name: .long, help: "The network assemble gets: default (its own namespace on the bridge network), host or none.")
    var network: String = "default"

    @Option(name: .customLong("cap-drop"), help: ArgumentHelp("Capabilities assemble runs without (comma-separated, repeatable).", valueName: "capability"))
    var capabilitiesDropped: [String] = []

    @Option(name: [.short, .long], help: "The memory assemble may use (e.g. 512m).")
    var memory: String?

    @Option(name: .customLong("cpu-quota"), help: "CPU time assemble gets per period, in microseconds.")
    var cpuQuota: Int64?

    @Option(name: .customLong("cpu-period"), help: "The CPU period in microseconds (default 100000).")
    var cpuPeriod: UInt64?

    func run() async throws {
        if asDockerfile != nil, run { throw ValidationError("--run cannot be used with --as-dockerfile") }
        if asDockerfile != nil, runtimeImage != nil { throw ValidationError("--runtime-image cannot be used with --as-dockerfile") }
        let display = try S2IDisplay(progress: common.progress, quiet: common.quiet)
        try await reportingErrors {
            var request = try common.request(source: URL(fileURLWithPath: source), builder: builder, tag: tag, registry: registry)
            request.scriptsURL = scriptsURL
            request.imageScriptsURL = imageScriptsURL
            request.environment = environment
            request.environmentFile = environmentFile.map { URL(fileURLWithPath: $0) }
            request.assembleUser = assembleUser
            request.assembleRuntimeUser = assembleRuntimeUser
            request.allowedUIDs = try allowedUIDs.map(AllowedUIDs.init(parsing:))
            request.injections = try injections.flatMap { try S2IPathMapping.parseList($0, option: "--inject") }
            request.contextDirectory = contextDirectory
            request.excludePattern = exclude
            request.displayName = applicationName
            request.description = applicationDescription
            request.runtimeImage = runtimeImage
            request.runtimeArtifacts = try runtimeArtifacts.flatMap { try S2IPathMapping.parseList($0, option: "--runtime-artifact") }
            request.runImage = run
            switch network {
            case "default", "bridge": request.network = .sandbox
            case "host": request.network = .host
            case "none": request.network = .none
            default: throw ValidationError("--network \(network): use default, host or none")
            }
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
            let client = try await global.client()
            if let asDockerfile {
                try await display.running { try await client.s2iWriteDockerfile(request, to: URL(fileURLWithPath: asDockerfile), progress: display.progress) }
                return
            }
            let result = try await display.running { try await client.s2iBuild(request, progress: display.progress) }
            if !common.quiet { print(result.imageID) }
        }
    }
}

struct S2IUsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "usage", abstract: "Print the builder image's usage script output.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var common: S2ICommonOptions
    @OptionGroup var registry: RegistryOptions

    @Argument(help: "The builder image.") var builder: String

    @Option(name: [.short, .customLong("scripts-url")], help: "Where to look for scripts first.")
    var scriptsURL: String?

    func run() async throws {
        let display = try S2IDisplay(progress: common.progress, quiet: common.quiet)
        let status = try await reportingErrors { () -> Int32 in
            let options = try common.request(source: URL(fileURLWithPath: "/"), builder: builder, tag: nil, registry: registry)
            let client = try await global.client()
            return try await display.running {
                try await client.s2iUsage(builder, scriptsURL: scriptsURL, options: options, progress: display.progress)
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}
