import ArgumentParser
import Foundation
import Hoist
import HoistBuild
import HoistOCI
import HoistRegistry

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an image from a Dockerfile, without a daemon (or with a Docker daemon as the worker).",
        discussion: "Flags are named as docker build names them. Steps are cached by content: an unchanged rebuild runs nothing. With --backend docker, RUN steps run in the daemon's containers and the image is loaded into it; --delegate hands the whole build to the daemon's builder instead. Every step's whole output is kept until the next build: hoist build logs [STEP] prints it.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var registry: RegistryOptions

    @Option(name: [.short, .customLong("tag")], help: ArgumentHelp("Name the image (name:tag); repeatable.", valueName: "name"))
    var tags: [String] = []

    @Option(name: [.short, .customLong("file")], help: ArgumentHelp("The Dockerfile (default: CONTEXT/Dockerfile); - reads it from standard input.", valueName: "path"))
    var file: String?

    @Option(name: .customLong("build-arg"), help: ArgumentHelp("Set a build argument; repeatable.", valueName: "name=value"))
    var buildArguments: [String] = []

    @Option(name: .long, help: "Build this stage instead of the last one.")
    var target: String?

    @Flag(name: .customLong("no-cache"), help: "Run every step, ignoring the cache.")
    var noCache = false

    @Option(name: .customLong("no-cache-filter"), help: ArgumentHelp("Run this stage's steps even when cached; repeatable.", valueName: "stage"))
    var noCacheFilter: [String] = []

    @Option(name: .customLong("build-context"), help: ArgumentHelp("A named context: name=DIR or name=docker-image://REF; repeatable.", valueName: "name=value"))
    var buildContext: [String] = []

    @Option(name: .long, help: "The network of RUN steps: default (a namespace of their own on the bridge network), host or none.")
    var network: String = "default"

    @Option(name: .long, help: ArgumentHelp("The target platforms (os/arch[/variant], comma-separated or repeated): one image each, joined in an OCI index when several; foreign ones run through binfmt_misc emulation (see hoist info).", valueName: "platform"))
    var platform: [String] = []

    @Option(name: .customLong("builder-node"), help: ArgumentHelp("Run a platform's RUN steps on the Docker Engine of a machine of that platform, the layers brought back here: PLATFORM=unix:///PATH or tcp://HOST:PORT; repeatable.", valueName: "platform=address"))
    var builderNode: [String] = []

    @Flag(name: .long, help: "Always pull the base images, as docker build --pull (same as --pull-policy always).")
    var pull = false

    @Option(name: .long, help: ArgumentHelp("When to pull base images: always, missing (default) or never.", valueName: "policy"))
    var pullPolicy: String = "missing"

    @Option(name: .long, help: ArgumentHelp("Set an image label; repeatable.", valueName: "key=value"))
    var label: [String] = []

    @Option(name: .long, help: ArgumentHelp("Give RUN --mount=type=secret a secret; repeatable.", valueName: "id=ID,src=PATH"))
    var secret: [String] = []

    @Option(name: .long, help: ArgumentHelp("Give RUN --mount=type=ssh an SSH agent: default or ID, with its socket (default $SSH_AUTH_SOCK); repeatable.", valueName: "id[=SOCKET]"))
    var ssh: [String] = []

    @Option(name: .long, help: ArgumentHelp("Allow an entitlement: security.insecure or network.host.", valueName: "entitlement"))
    var allow: [String] = []

    @Option(name: [.short, .long], help: ArgumentHelp("The memory each RUN step may use (e.g. 512m).", valueName: "size"))
    var memory: String?

    @Option(name: .customLong("cpu-quota"), help: ArgumentHelp("CPU time each RUN step gets per period, in microseconds.", valueName: "us"))
    var cpuQuota: Int64?

    @Option(name: .customLong("cpu-period"), help: ArgumentHelp("The CPU period in microseconds (default 100000).", valueName: "us"))
    var cpuPeriod: UInt64?

    @Option(name: .long, help: ArgumentHelp("How RUN steps are isolated: default (a container each), or pod: build in this container's own / without namespaces, as Kaniko does — it replaces the container's files, so only in a throwaway container (see README).", valueName: "mode"))
    var isolation: String = "default"

    @Flag(name: .customLong("print-graph"), help: "Print the build's graph as JSON (stable digests) instead of building.")
    var printGraph = false

    @Flag(name: .long, help: "Also load the image, under the tags, into the Docker daemon (DOCKER_HOST), or with --backend containerd into containerd.")
    var load = false

    @Flag(name: .long, help: "Push the image to its registries under the tags once built (as --output type=registry).")
    var push = false

    @Flag(name: .long, help: "With --backend docker: hand the whole build to the daemon's own builder.")
    var delegate = false

    @Option(name: .long, help: "Progress output: auto, plain, tty or rawjson.")
    var progress: String = "auto"

    @Option(name: .long, help: ArgumentHelp("Write the image ID to this file.", valueName: "path"))
    var iidfile: String?

    @Option(name: .customLong("metadata-file"), help: ArgumentHelp("Write the build's result (digests, names) as JSON to this file.", valueName: "path"))
    var metadataFile: String?

    @Option(name: [.short, .long], help: ArgumentHelp("Also write the result: type=oci|docker|tar,dest=FILE, type=local,dest=DIR, or type=image[,name=N][,push=true] (type=registry pushes); repeatable.", valueName: "spec"))
    var output: [String] = []

    @Option(name: .customLong("cache-from"), help: ArgumentHelp("Also take step results from this cache: type=local,src=DIR or type=registry,ref=NAME (a cache, or an image pushed with an inline cache); repeatable. One that cannot be read is a warning.", valueName: "spec"))
    var cacheFrom: [String] = []

    @Option(name: .customLong("cache-to"), help: ArgumentHelp("Write the build's cache here: type=local,dest=DIR or type=registry,ref=NAME, with mode=min|max (min: the image's steps; max: every stage's) and mounts=true (the RUN --mount=type=cache contents too, compression=gzip|zstd for them), or type=inline (the image's steps, in its config); repeatable.", valueName: "spec"))
    var cacheTo: [String] = []

    @Option(name: .customLong("on-error"), help: ArgumentHelp("When a RUN step fails: exit (default), or shell: a shell on a terminal in a container on the state the step ran in (its files, mounts, environment, user and directory; the command in the shell's history and in $HOIST_FAILED_COMMAND); the build fails when it exits.", valueName: "action"))
    var onError: String = "exit"

    @Flag(name: [.short, .long], help: "Print only the image ID.")
    var quiet = false

    @Flag(name: .long, help: "Run the build checks and print their warnings, without building.")
    var check = false

    @Argument(help: "The build context directory; - for a tar archive (or a lone Dockerfile) on standard input.")
    var context: String

    func run() async throws {
        guard let mode = ProgressRenderer.Mode(rawValue: progress) else {
            throw ValidationError("unknown --progress \(progress): use auto, plain, tty or rawjson")
        }
        let buildArguments = try Self.pairs(buildArguments, what: "--build-arg", allowBare: true)
        let labels = try Self.pairs(label, what: "--label", allowBare: false)
        var secrets: [String: String] = [:]
        for specification in secret {
            let fields = try Self.pairs(specification.split(separator: ",").map(String.init), what: "--secret", allowBare: false)
            guard let id = fields["id"], let source = fields["src"] ?? fields["source"] else {
                throw ValidationError("--secret \(specification): expected id=ID,src=PATH")
            }
            secrets[id] = source
        }
        guard ["exit", "shell"].contains(onError) else { throw ValidationError("--on-error \(onError): use exit or shell") }
        if onError == "shell" && isatty(STDIN_FILENO) != 1 {
            throw ValidationError("--on-error=shell needs a terminal on standard input")
        }
        if check {
            try await reportingErrors { try await runChecks(buildArguments: buildArguments) }
            return
        }
        let renderer = ProgressRenderer(mode: quiet ? .quiet : mode, output: quiet ? FileHandle.nullDevice : .standardError)
        let input = try await reportingErrors { try StandardInputContext(context: context, file: file) }
        defer { input.remove() }
        try await reportingErrors {
            var options = BuildOptions(
                context: input.context, dockerfile: input.dockerfile, tags: tags,
                buildArguments: buildArguments, target: target, noCache: noCache, labels: labels, secrets: secrets,
                allowInsecure: allow.contains("security.insecure"), progress: renderer.reporter)
            options.outputs = try output.map(BuildOutput.init(parsing:))
            options.cacheImports = try cacheFrom.map(CacheImport.init(parsing:))
            options.cacheExports = try cacheTo.map(CacheExport.init(parsing:))
            options.registry = registry.configuration
            let pushed = try namesToPush(options.outputs)
            options.noCacheStages = noCacheFilter
            options.stepLimits = StepLimits(memoryBytes: try memory.map(ContainerOptions.bytes), cpuQuota: cpuQuota, cpuPeriod: cpuPeriod)
            options.buildContexts = try Self.pairs(buildContext, what: "--build-context", allowBare: false)
            options.platforms = try platform.flatMap { try $0.split(separator: ",").map { try Platform(parsing: $0.trimmingCharacters(in: .whitespaces)) } }
            options.builderNodes = try builderNode.map(BuilderNode.init(parsing:))
            guard let policy = PullPolicy(rawValue: pull ? "always" : pullPolicy) else {
                throw ValidationError("--pull-policy \(pullPolicy): use always, missing or never")
            }
            options.pullPolicy = policy
            options.loadIntoDocker = load
            options.sshAgents = try Self.sshAgents(ssh)
            guard let isolation = BuildIsolation(rawValue: isolation) else {
                throw ValidationError("--isolation \(isolation): use default or pod")
            }
            options.isolation = isolation
            if isolation == .pod && geteuid() != 0 {
                throw ValidationError("--isolation=pod needs root in its container (it writes every file of the image, owners included)")
            }
            // Before the client is made: another backend would be connected to first.
            if isolation == .pod && global.backendName != Backend.native.rawValue {
                throw ValidationError("--isolation=pod builds on the native backend, not on \(global.backendName)")
            }
            switch network {
            case "default", "bridge": options.defaultNetwork = .sandbox
            case "host": options.defaultNetwork = .host
            case "none": options.defaultNetwork = .none
            default: throw ValidationError("--network \(network): use default, host or none")
            }
            for entitlement in allow where !["security.insecure", "network.host"].contains(entitlement) {
                throw ValidationError("--allow \(entitlement): use security.insecure or network.host")
            }
            options.allowHostNetwork = allow.contains("network.host")
            // As docker buildx does, SOURCE_DATE_EPOCH comes from the environment too.
            if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] {
                guard let seconds = Int64(epoch) else { throw ValidationError("SOURCE_DATE_EPOCH=\(epoch) is not a number of seconds") }
                options.sourceDateEpoch = seconds
            }
            let client = try await global.client()
            await warnOfUnappliedLimits(options.stepLimits.memoryBytes != nil || options.stepLimits.cpuQuota != nil, on: client)
            if printGraph {
                renderer.finish()
                print(String(decoding: try await client.buildGraph(options), as: UTF8.self))
                return
            }
            if delegate {
                renderer.finish()
                let id = try await client.delegateBuild(options) { line in
                    if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
                }
                if let iidfile { try Data(id.utf8).write(to: URL(fileURLWithPath: iidfile)) }
                try await push(pushed, client: client, mode: mode)
                print(id)
                return
            }
            let image: ImageSummary
            do {
                image = try await client.build(options, onStepFailure: onError == "shell" ? Self.openShell(renderer) : nil)
            } catch {
                renderer.finish()
                throw error
            }
            renderer.finish()
            try await push(pushed, client: client, mode: mode)
            if let iidfile { try Data(image.id.description.utf8).write(to: URL(fileURLWithPath: iidfile)) }
            if let metadataFile {
                var metadata: [String: Any] = [
                    "containerimage.digest": image.digest.description, "containerimage.config.digest": image.id.description,
                ]
                if !tags.isEmpty { metadata["image.name"] = tags.joined(separator: ",") }
                let data = try JSONSerialization.data(withJSONObject: metadata, options: [.prettyPrinted, .sortedKeys])
                try data.write(to: URL(fileURLWithPath: metadataFile))
            }
            if quiet {
                FileHandle.standardOutput.write(Data("\(image.id.description)\n".utf8))
            } else if mode != .rawjson {  // rawjson's stream holds JSON only
                FileHandle.standardError.write(Data("Successfully built \(image.id.shortID)\(tags.map { "\nSuccessfully tagged \($0)" }.joined())\n".utf8))
            }
        }
    }

    /// A failed step's handler that ends the progress view and opens a shell in the step's
    /// container on this terminal; the build then fails as it would have.
    private static func openShell(_ renderer: ProgressRenderer) -> @Sendable (DebuggedStep) async -> Void {
        { step in
            renderer.finish()
            let banner = "hoist: \(step.name) failed; a shell on the state it ran in (the command is in its history and in $HOIST_FAILED_COMMAND), exit to end the build:\n"
            FileHandle.standardError.write(Data(banner.utf8))
            do {
                _ = try await DebugShell.run { size, output in try await step.startShell(terminal: size, standardOutput: output) }
            } catch {
                FileHandle.standardError.write(Data("hoist: cannot open a shell on the failed step: \(error)\n".utf8))
            }
        }
    }

    /// What the build pushes once built: the tags for `--push`, and for each `--output
    /// type=image,push=true` (or `type=registry`) its names, else the tags; checked before the
    /// build, so a push that cannot happen fails before anything is built.
    private func namesToPush(_ outputs: [BuildOutput]) throws -> [String] {
        var wanted = push
        var names = push ? tags : []
        for case .image(let outputNames, let pushes) in outputs {
            for name in outputNames { _ = try Reference(parsing: name) }
            guard pushes else { continue }
            wanted = true
            names += outputNames.isEmpty ? tags : outputNames
        }
        if wanted && names.isEmpty { throw ValidationError("a name is needed to push: give -t NAME (or name= in --output)") }
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    /// Pushes the built image under `names`, each with its view of the transfer, as `hoist push`.
    private func push(_ names: [String], client: Client, mode: ProgressRenderer.Mode) async throws {
        for name in names {
            try await PushCommand.push(name, to: nil, client: client, configuration: registry.configuration, progress: quiet ? .quiet : mode,
                                         silently: quiet)
        }
    }

    /// Prints each check warning with its location and line; exits 1 when the Dockerfile makes
    /// warnings errors (`# check=error=true`).
    private func runChecks(buildArguments: [String: String]) async throws {
        let options = BuildOptions(
            context: URL(fileURLWithPath: context), dockerfile: file.map { URL(fileURLWithPath: $0) },
            buildArguments: buildArguments)
        let (report, syntax) = try await global.client().check(options)
        for warning in report.warnings {
            let line = warning.range.start.line
            print("\(syntax.fileName):\(line):\(warning.range.start.column): \(warning.rule.rawValue): \(warning.message)")
            print("  \(syntax.lineText(line))")
            print("  see \(warning.rule.documentationURL)")
        }
        print(report.warnings.isEmpty ? "Check complete, no warnings found." : "Check complete, \(report.warnings.count) warning\(report.warnings.count == 1 ? "" : "s") found.")
        if report.failsBuild { throw ExitCode.failure }
    }

    /// `NAME=value` pairs; with `allowBare`, a bare `NAME` takes its value from the environment
    /// as `docker build --build-arg NAME` does.
    /// `--ssh default`, `--ssh ID=SOCKET`: agents by id; without a socket, `$SSH_AUTH_SOCK`'s.
    static func sshAgents(_ specifications: [String]) throws -> [String: String] {
        var agents: [String: String] = [:]
        for specification in specifications {
            let parts = specification.split(separator: "=", maxSplits: 1).map(String.init)
            let id = parts[0].isEmpty ? "default" : parts[0]
            guard let socket = parts.count > 1 ? parts[1] : ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"], !socket.isEmpty else {
                throw ValidationError("--ssh \(specification): no socket given and SSH_AUTH_SOCK is not set (start ssh-agent, or give ID=SOCKET)")
            }
            agents[id] = socket
        }
        return agents
    }

    static func pairs(_ items: [String], what: String, allowBare: Bool) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 {
                result[String(parts[0])] = String(parts[1])
            } else if allowBare, let value = ProcessInfo.processInfo.environment[item] {
                result[item] = value
            } else if !allowBare {
                throw ValidationError("\(what) \(item): expected name=value")
            }
        }
        return result
    }
}
