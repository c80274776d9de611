public import Foundation
public import HoistOCI

/// A source-to-image build turned into a Dockerfile and its context — what `s2i build
/// --as-dockerfile` writes, and what Hoist's build engine then builds (with its cache and
/// progress): the builder image, the scripts and source copied to the destination
/// (`io.openshift.s2i.destination`, default `/tmp`), `assemble` run as the assembling user, and
/// the `run` script as the image's command.
public struct S2IPlan: Sendable {
    /// Where one script comes from.
    public enum ScriptLocation: Sendable, Hashable {
        /// Already in the builder image at this path.
        case image(String)
        /// Copied into the context from this host file.
        case file(URL)
    }

    public let dockerfile: String
    /// The workspace: the Dockerfile and `upload/` (`scripts`, `src`, `artifacts`); the directory to
    /// build unless ``sourceContext`` says otherwise.
    public let context: URL
    /// The user `assemble` runs as.
    public let assembleUser: String?
    /// Where each script was found.
    public let scripts: [String: ScriptLocation]
    /// Where the scripts were looked for, for messages.
    public let searched: [String]
    /// Where scripts, source and artifacts go in the image.
    public let destination: String
    /// The `--chown=…` of the COPY lines (empty for root).
    let chown: String
    /// The line the artifacts of an incremental build are copied after.
    let artifactsAnchor: String
    /// How the Dockerfile reaches the uploaded files: `upload/` in the context, or the named
    /// build context ``uploadContextName`` when the context is the source itself.
    let uploadPrefix: String
    /// For a builder with ONBUILD triggers the build context is the source (as S2I's onbuild
    /// strategy has it, so `ONBUILD COPY . …` copies the application): then this is the
    /// directory to build, and ``uploadContextName`` names the scripts and artifacts.
    public let sourceContext: URL?
    /// The named build context of the uploaded files when ``sourceContext`` is set.
    public static let uploadContextName = "s2i-upload"

    /// The path of script `name` in the image being built (or in one built before from it).
    public func scriptPath(_ name: String) -> String? {
        switch scripts[name] {
        case .image(let directory)?: directory + "/" + name
        case .file?: destination + "/scripts/" + name
        case nil: nil
        }
    }

    /// This plan with the saved artifacts of a previous build, already in the context's
    /// `upload/artifacts`, copied to the destination's `artifacts/` before assemble runs (an
    /// incremental build); the Dockerfile is written again.
    public func addingArtifacts() throws -> S2IPlan {
        guard let anchor = dockerfile.range(of: artifactsAnchor + "\n") else { return self }
        var text = dockerfile
        text.insert(contentsOf: "COPY\(chown) \(uploadPrefix)artifacts \(destination)/artifacts\n", at: anchor.upperBound)
        try Data(text.utf8).write(to: context.appendingPathComponent("Dockerfile"))
        return S2IPlan(
            dockerfile: text, context: context, assembleUser: assembleUser, scripts: scripts, searched: searched,
            destination: destination, chown: chown, artifactsAnchor: artifactsAnchor, uploadPrefix: uploadPrefix,
            sourceContext: sourceContext)
    }

    /// Lays out `request` for the builder whose config is `builder` in `workspace` (a new,
    /// empty directory) and writes the Dockerfile. `download` fetches an `http(s)` script (nil
    /// when there is none at that URL).
    ///
    /// With a runtime image (`request.runtimeImage`, whose config is `runtime`), the Dockerfile
    /// has a second stage: the runtime image with the artifacts copied from the built one, its
    /// `assemble-runtime` script run when it has one, and its `run` script as the command.
    public static func make(
        _ request: S2IRequest, builder: ImageConfig, runtime: ImageConfig? = nil, workspace: URL, allowSourceContext: Bool = true,
        download: (URL) async throws -> Data? = { _ in nil },
        imageFileExists: @escaping (_ image: String, _ path: String) async throws -> Bool = { _, _ in true }
    ) async throws -> S2IPlan {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: request.source.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw S2IError(.notFound, "the source \(request.source.path) does not exist or is not a directory")
        }
        let application = try request.applicationDirectory()
        let config = builder.config ?? ContainerConfig()
        let labels = config.labels ?? [:]
        let imageEnvironment = Self.environment(config.env ?? [])
        let destination = labels[S2ILabels.destination] ?? imageEnvironment[S2ILabels.deprecatedDestinationEnvironment] ?? "/tmp"

        // Who assembles, and whether that is allowed.
        let assembleUser = request.assembleUser ?? labels[S2ILabels.assembleUser] ?? config.user
        if let allowed = try request.allowedUIDs.map(AllowedUIDs.init(parsing:)) {
            try allowed.check(config.user, what: "the builder image's user")
            if let label = labels[S2ILabels.assembleUser] { try allowed.check(label, what: "the assemble user label") }
            if let user = request.assembleUser { try allowed.check(user, what: "--assemble-user") }
            for trigger in config.onBuild ?? [] {
                let words = trigger.split(separator: " ", maxSplits: 1).map(String.init)
                if words.first?.uppercased() == "USER" {
                    try allowed.check(words.count > 1 ? words[1].trimmingCharacters(in: .whitespaces) : "", what: "the builder's ONBUILD USER")
                }
            }
        }

        let upload = workspace.appendingPathComponent("upload")
        let scriptsDirectory = upload.appendingPathComponent("scripts")
        let (scripts, searched) = try await findScripts(
            request, builder: builder, into: scriptsDirectory, download: download, imageFileExists: imageFileExists)
        guard let assemble = scripts["assemble"] else {
            throw S2IError(.notFound, "no assemble script: looked in " + searched.joined(separator: ", "))
        }
        guard let run = scripts["run"] else {
            throw S2IError(.notFound, "no run script: looked in " + searched.joined(separator: ", "))
        }

        // The source, as it is.
        let sourceCopy = upload.appendingPathComponent("src")
        do {
            try FileManager.default.copyItem(at: application, to: sourceCopy)
        } catch {
            throw S2IError(.unavailable, "cannot copy the source \(application.path)", underlying: error)
        }

        var environment: [(String, String)] = []
        func addEnvironment(_ lines: [String]) {
            for line in lines {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
                let name = String(trimmed[..<equals])
                environment.removeAll { $0.0 == name }
                environment.append((name, String(trimmed[trimmed.index(after: equals)...])))
            }
        }
        let environmentFile = application.appendingPathComponent(".s2i/environment")
        if let text = try? String(contentsOf: environmentFile, encoding: .utf8) { addEnvironment(text.components(separatedBy: "\n")) }
        if let file = request.environmentFile {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw S2IError(.notFound, "cannot read the environment file \(file.path)")
            }
            addEnvironment(text.components(separatedBy: "\n"))
        }
        addEnvironment(request.environment)

        let scriptsPath = destination + "/scripts"
        func path(_ location: ScriptLocation, _ name: String) -> String {
            switch location {
            case .image(let directory): directory + "/" + name
            case .file: scriptsPath + "/" + name
            }
        }
        let runPath = path(run, "run")
        let chown = assembleUser.map { $0.isEmpty ? "" : " --chown=\($0.split(separator: ":").first ?? ""):0" } ?? ""

        var lines = ["# Generated by hoist s2i build from \(request.builderImage)",
                     "FROM \(request.builderImage)" + (request.runtimeImage == nil ? "" : " AS builder")]
        let outputLabels = Self.outputLabels(request)
        lines.append("LABEL " + outputLabels.map { "\(Self.quoted($0.0))=\(Self.quoted($0.1))" }.joined(separator: " "))
        if !environment.isEmpty {
            lines.append("ENV " + environment.map { "\($0.0)=\(Self.quoted($0.1))" }.joined(separator: " "))
        }
        let onBuild = allowSourceContext && !(config.onBuild ?? []).isEmpty
        let uploadPrefix = onBuild ? "--from=\(uploadContextName) " : "upload/"
        lines.append("USER root")
        if scripts.values.contains(where: { if case .file = $0 { true } else { false } }) {
            lines.append("COPY\(chown) \(uploadPrefix)scripts \(scriptsPath)")
        }
        // With ONBUILD triggers the source is the context, and the builder's own triggers copy it.
        if !onBuild { lines.append("COPY\(chown) upload/src \(destination)/src") }
        let artifactsAnchor = lines.last!
        if let assembleUser, !assembleUser.isEmpty { lines.append("USER \(assembleUser)") }
        lines.append("RUN \(Self.jsonArray([path(assemble, "assemble")]))")
        if let user = config.user, !user.isEmpty, user != assembleUser { lines.append("USER \(user)") }
        lines.append("CMD \(Self.jsonArray([runPath]))")
        if let runtimeImage = request.runtimeImage {
            lines += try await runtimeStage(
                request, image: runtimeImage, config: runtime, labels: outputLabels, scriptsDirectory: scriptsDirectory,
                uploadPrefix: uploadPrefix, download: download, inImage: { try await imageFileExists(runtimeImage, $0) })
        }
        let dockerfile = lines.joined(separator: "\n") + "\n"
        try Data(dockerfile.utf8).write(to: workspace.appendingPathComponent("Dockerfile"))
        return S2IPlan(
            dockerfile: dockerfile, context: workspace, assembleUser: assembleUser, scripts: scripts, searched: searched,
            destination: destination, chown: chown, artifactsAnchor: artifactsAnchor, uploadPrefix: uploadPrefix,
            sourceContext: onBuild ? sourceCopy : nil)
    }

    /// Searches for S2I's scripts as S2I does: `--scripts-url`, then the source's `.s2i/bin`,
    /// then the builder's label (or `STI_SCRIPTS_URL`), then `--image-scripts-url` (S2I's
    /// default place in the image). Host and downloaded scripts are copied into
    /// `scriptsDirectory`. Returns where each script found is, and the places searched.
    public static func findScripts(
        _ request: S2IRequest, builder: ImageConfig, into scriptsDirectory: URL, download: (URL) async throws -> Data?,
        imageFileExists: @escaping (_ image: String, _ path: String) async throws -> Bool
    ) async throws -> (scripts: [String: ScriptLocation], searched: [String]) {
        let config = builder.config ?? ContainerConfig()
        let labels = config.labels ?? [:]
        let imageEnvironment = Self.environment(config.env ?? [])
        var candidates: [(String, String)] = []
        if let url = request.scriptsURL { candidates.append(("--scripts-url", url)) }
        candidates.append(("the source's .s2i/bin", try request.applicationDirectory().appendingPathComponent(".s2i/bin").absoluteString))
        if let url = labels[S2ILabels.scriptsURL] ?? imageEnvironment[S2ILabels.deprecatedScriptsURLEnvironment] {
            candidates.append(("the builder's \(S2ILabels.scriptsURL)", url))
        }
        candidates.append(("--image-scripts-url", request.imageScriptsURL ?? S2ILabels.defaultImageScriptsURL))
        let inBuilder = { (path: String) in try await imageFileExists(request.builderImage, path) }
        try FileManager.default.createDirectory(at: scriptsDirectory, withIntermediateDirectories: true)
        var scripts: [String: ScriptLocation] = [:]
        for name in ["assemble", "run", "save-artifacts", "usage"] {
            for (_, url) in candidates {
                if let found = try await locate(name, in: url, into: scriptsDirectory, download: download, inImage: inBuilder) {
                    scripts[name] = found
                    break
                }
            }
        }
        return (scripts, candidates.map { "\($0.0) (\($0.1))" })
    }

    /// The runtime stage: artifacts from the builder stage into the runtime image's working
    /// directory, then its own `assemble-runtime` (when it has one) and `run`.
    private static func runtimeStage(
        _ request: S2IRequest, image: String, config imageConfig: ImageConfig?, labels: [(String, String)], scriptsDirectory: URL,
        uploadPrefix: String, download: (URL) async throws -> Data?, inImage: (String) async throws -> Bool
    ) async throws -> [String] {
        let config = imageConfig?.config ?? ContainerConfig()
        let workingDirectory = config.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        var mappings = request.runtimeArtifacts
        if mappings.isEmpty {
            mappings = (config.labels?[S2ILabels.assembleInputFiles] ?? "").split(separator: ";").map(String.init)
        }
        guard !mappings.isEmpty else {
            throw S2IError(.invalidArgument, "a runtime image needs --runtime-artifact or its \(S2ILabels.assembleInputFiles) label")
        }
        // The runtime image's scripts: its label, then --scripts-url; uploaded ones go to runtime/.
        let runtimeScripts = scriptsDirectory.deletingLastPathComponent().appendingPathComponent("runtime-scripts")
        try FileManager.default.createDirectory(at: runtimeScripts, withIntermediateDirectories: true)
        var candidates: [String] = []
        if let url = config.labels?[S2ILabels.scriptsURL] { candidates.append(url) }
        if let url = request.scriptsURL { candidates.append(url) }
        var found: [String: ScriptLocation] = [:]
        for name in ["assemble-runtime", "run"] {
            for url in candidates {
                if let location = try await locate(name, in: url, into: runtimeScripts, download: download, inImage: inImage) {
                    found[name] = location
                    break
                }
            }
        }
        let destination = "/tmp/runtime-scripts"
        func path(_ name: String) -> String? {
            switch found[name] {
            case .image(let directory)?: directory + "/" + name
            case .file?: destination + "/" + name
            case nil: nil
            }
        }
        guard let run = path("run") else {
            throw S2IError(.notFound, "the runtime image \(image) has no run script: looked in " + candidates.joined(separator: ", "))
        }
        let user = config.user.flatMap { $0.isEmpty ? nil : $0 }
        let chown = user.map { " --chown=\($0.split(separator: ":").first ?? ""):0" } ?? ""
        var lines = ["", "FROM \(image)", "LABEL " + labels.map { "\(quoted($0.0))=\(quoted($0.1))" }.joined(separator: " ")]
        lines.append("USER root")
        for mapping in mappings {
            let parts = mapping.split(separator: ":", maxSplits: 1).map(String.init)
            let source = parts[0]
            guard source.hasPrefix("/") else {
                throw S2IError(.invalidArgument, "runtime artifact \(mapping): the source must be an absolute path in the builder")
            }
            // The destination is a directory under the working directory, whatever it says.
            let relative = (parts.count > 1 ? parts[1] : "").split(separator: "/").filter { $0 != "." }.joined(separator: "/")
            guard !relative.split(separator: "/").contains("..") else {
                throw S2IError(.invalidArgument, "runtime artifact \(mapping): the destination leaves the working directory")
            }
            let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
            let name = URL(fileURLWithPath: source).lastPathComponent
            lines.append("COPY --from=builder\(chown) \(source) \(base)\(relative.isEmpty ? "" : relative + "/")\(name)")
        }
        if found.values.contains(where: { if case .file = $0 { true } else { false } }) {
            lines.append("COPY\(chown) \(uploadPrefix)runtime-scripts \(destination)")
        }
        if let user { lines.append("USER \(user)") }
        if let assemble = path("assemble-runtime") { lines.append("RUN \(jsonArray([assemble]))") }
        lines.append("CMD \(jsonArray([run]))")
        return lines
    }

    /// Finds script `name` under the scripts URL `url`; host files are copied into `directory`.
    private static func locate(_ name: String, in url: String, into directory: URL, download: (URL) async throws -> Data?,
                               inImage: (String) async throws -> Bool) async throws -> ScriptLocation? {
        let target = directory.appendingPathComponent(name)
        if url.hasPrefix("image://") {
            let directory = imagePath(url)
            return try await inImage(directory + "/" + name) ? .image(directory) : nil
        }
        if url.hasPrefix("file://") || url.hasPrefix("/") {
            let base = url.hasPrefix("file://") ? URL(string: url)?.path ?? String(url.dropFirst(7)) : url
            let file = URL(fileURLWithPath: base).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else { return nil }
            if !FileManager.default.fileExists(atPath: target.path) { try FileManager.default.copyItem(at: file, to: target) }
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
            return .file(file)
        }
        if url.hasPrefix("http://") || url.hasPrefix("https://"), let base = URL(string: url) {
            // A server that cannot be reached has no scripts to give; the search goes on.
            guard let data = try? await download(base.appendingPathComponent(name)) else { return nil }
            try data.write(to: target)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
            return .file(base.appendingPathComponent(name))
        }
        throw S2IError(.invalidArgument, "unsupported scripts URL \(url): use image://, file:// or http(s)://")
    }

    /// The labels S2I writes into the image it builds: the builder, the display name and
    /// description, and where the source came from (its commit, for a git source).
    static func outputLabels(_ request: S2IRequest) -> [(String, String)] {
        var labels: [(String, String)] = []
        func add(_ name: String, _ value: String?) {
            if let value, !value.isEmpty { labels.append((name, value)) }
        }
        add(S2ILabels.description, request.description)
        add(S2ILabels.displayName, request.displayName ?? request.tag)
        add(S2ILabels.buildImage, request.builderImage)
        if let commit = request.commit {
            add(S2ILabels.commitAuthor, commit.author)
            add(S2ILabels.commitDate, commit.date)
            add(S2ILabels.commitID, commit.id)
            add(S2ILabels.commitRef, commit.ref)
            add(S2ILabels.commitMessage, commit.message)
        }
        add(S2ILabels.sourceLocation, request.repository ?? request.source.path)
        add(S2ILabels.sourceContextDirectory, request.contextDirectory)
        return labels
    }

    /// The path of an `image://` URL, without a trailing slash.
    static func imagePath(_ url: String) -> String {
        var path = url.hasPrefix("image://") ? String(url.dropFirst(8)) : url
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private static func environment(_ entries: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    /// A Dockerfile double-quoted word.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "$", with: "\\$") + "\""
    }

    static func jsonArray(_ words: [String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: words, options: [.withoutEscapingSlashes])) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
