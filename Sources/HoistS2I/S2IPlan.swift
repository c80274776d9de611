public import Foundation
public import HoistBuild
public import HoistOCI

/// An S2I build worked out: the builder (its ONBUILD triggers applied), where scripts, source
/// and artifacts go, who assembles, what is injected, where artifacts come from, and the
/// runtime stage. ``buildState()`` turns it into the build graph Hoist solves;
/// ``dockerfile()`` writes the same build as Dockerfile text (`--as-dockerfile`).
public struct S2IPlan: Sendable {
    /// A directory (or file) injected while assemble runs (`-i SOURCE:DESTINATION`).
    public struct Injection: Sendable, Hashable {
        /// One injected file: its path relative to ``Injection/directory``, and where it goes.
        public struct File: Sendable, Hashable {
            public var source: String
            public var destination: String
        }

        /// The directory of this machine the files are read from.
        public var directory: URL
        /// The directory of the image they go to.
        public var root: String
        /// The directories made for the files in the image (absolute), parents first.
        public var directories: [String]
        /// The files, bound into the assemble container one by one over empty files made for
        /// them, so their contents never reach a layer: after assemble they are there, empty,
        /// as S2I leaves them truncated.
        public var files: [File]
        /// Keep the files in the image (copied in) instead.
        public var keep: Bool

        /// Where `file` goes, relative to ``root``.
        func relativeDestination(of file: File) -> String {
            String(file.destination.dropFirst(root == "/" ? 1 : root.count + 1))
        }
    }

    /// Where an incremental build's artifacts come from.
    public enum Artifacts: Sendable, Hashable {
        /// The previous image, which the backend holds: its `save-artifacts` runs in a step of
        /// the build and the tar it writes is unpacked into `<destination>/artifacts`.
        case previousImage(PreviousImage)
        /// The artifacts cache mount, which the last incremental build of the image filled.
        case cacheMount
    }

    /// The previous image of an incremental build, and how its artifacts are saved.
    public struct PreviousImage: Sendable, Hashable {
        public var reference: String
        /// The `save-artifacts` to run: the image's own at this path, or the uploaded one.
        public var script: String
        public var uploaded: Bool
        /// Who runs it (`--assemble-user`, else the image's user; empty for root).
        public var user: String
        public var environment: [String]
        public var workingDirectory: String
        /// The builder has `tar`: the saved tar is mounted into assemble's step and unpacked
        /// there, as S2I unpacks it in its build container, so the artifacts get no layer of
        /// their own; else they are added as a layer, as S2I's layered build adds them.
        public var unpackedInAssemble: Bool
    }

    /// The runtime stage (`--runtime-image`).
    public struct Runtime: Sendable {
        public var image: String
        public var config: ImageConfig
        /// What is copied from the built image, and where under the working directory.
        public var artifacts: [S2IPathMapping]
        /// `assemble-runtime` and `run`.
        public var scripts: S2IScripts
        /// The user `assemble-runtime` runs as (empty: the image's).
        public var assembleUser: String
    }

    public var builderImage: String
    /// The builder's config (after its ONBUILD triggers, for an ONBUILD builder).
    public var builderConfig: ImageConfig
    /// The builder with its ONBUILD triggers applied to the source, for an ONBUILD builder:
    /// then the source is not copied (the triggers copy it), as S2I's onbuild strategy builds.
    public var onBuildBase: BuildState?
    public var destination: String
    /// Who runs assemble; empty for root.
    public var assembleUser: String
    public var scripts: S2IScripts
    /// The source paths left out (`.s2iignore`, `--exclude`).
    public var sourceExclusions: S2ISourceExclusions
    public var environment: S2IEnvironment
    /// The labels S2I writes (over the builder's).
    public var labels: [String: String]
    public var injections: [Injection]
    public var artifacts: Artifacts?
    /// The cache mount an incremental build saves its artifacts in (and restores them from,
    /// with ``Artifacts/cacheMount``).
    public var artifactsCache: String?
    public var network: NetworkMode
    public var runtime: Runtime?

    // MARK: Names and places

    /// The local sources the graph names.
    public enum LocalName {
        public static let scripts = "s2i-scripts"
        public static let source = "s2i-source"
        public static let runtimeScripts = "s2i-runtime-scripts"
        public static func injection(_ index: Int) -> String { "s2i-injection-\(index)" }
        /// The source as the context of an ONBUILD builder's triggers.
        public static let context = "context"
    }

    /// Where uploaded scripts go.
    public var scriptsDirectory: String { destination + "/scripts" }
    /// Where the runtime image's uploaded scripts go: its working directory's `scripts`.
    func runtimeScriptsDirectory(_ runtime: Runtime) -> String { Self.join(Self.workingDirectory(of: runtime.config), "scripts") }
    /// Where the previous image's saved artifacts are written, in its container.
    static let savedArtifacts = "/tmp/.s2i-artifacts.tar"
    /// Where an uploaded `save-artifacts` is mounted in the previous image's container.
    static let mountedSaveScript = "/run/s2i/save-artifacts"
    /// Where the previous image's saved artifacts are mounted while assemble runs.
    static let mountedArtifacts = "/run/s2i/previous-artifacts.tar"
    /// Where the artifacts cache mount appears while assemble runs.
    static let cacheMountPoint = "/run/s2i/artifacts-cache"
    /// The file of saved artifacts in the cache mount.
    public static let cachedArtifactsFile = "artifacts.tar"

    /// `chown` user for files the builder stage copies in: the assembling user, group root.
    var owner: FileOwner? {
        assembleUser.isEmpty ? nil : FileOwner(user: String(assembleUser.split(separator: ":").first ?? ""), group: "0")
    }

    /// The command assemble runs as: the script itself, or a shell around it that unpacks the
    /// previous image's artifacts or restores them from the cache mount, and saves them there
    /// afterwards.
    var assembleCommand: [String] {
        guard let assemble = scripts.path(of: "assemble", uploadDirectory: scriptsDirectory) else { return [] }
        var lines: [String] = []
        func unpack(_ tar: String) -> String {
            "if [ -s \(tar) ]; then mkdir -p \(destination)/artifacts && tar -xf \(tar) -C \(destination)/artifacts || exit 1; fi"
        }
        switch artifacts {
        case .cacheMount: lines.append(unpack(Self.cacheMountPoint + "/" + Self.cachedArtifactsFile))
        case .previousImage(let previous) where previous.unpackedInAssemble: lines.append(unpack(Self.mountedArtifacts))
        default: break
        }
        guard !lines.isEmpty || artifactsCache != nil else { return [assemble] }
        lines.append("\(Self.shellQuoted(assemble)) || exit $?")
        let file = Self.cacheMountPoint + "/" + Self.cachedArtifactsFile
        if artifactsCache != nil, let save = scripts.path(of: "save-artifacts", uploadDirectory: scriptsDirectory) {
            lines.append("\(Self.shellQuoted(save)) > \(file).new && mv -f \(file).new \(file) || rm -f \(file).new")
        }
        return ["/bin/sh", "-c", lines.joined(separator: "\n")]
    }

    /// The command of the output image: the `run` script (of the runtime image, with one).
    var runCommand: [String] {
        if let runtime {
            return runtime.scripts.path(of: "run", uploadDirectory: runtimeScriptsDirectory(runtime)).map { [$0] } ?? []
        }
        return scripts.path(of: "run", uploadDirectory: scriptsDirectory).map { [$0] } ?? []
    }

    // MARK: Helpers

    /// The working directory an image's config gives (S2I's `GetImageWorkdir`: `/` when none).
    static func workingDirectory(of config: ImageConfig) -> String {
        config.config?.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
    }

    static func join(_ directory: String, _ path: String) -> String {
        guard !path.isEmpty else { return directory }
        return (directory.hasSuffix("/") ? directory : directory + "/") + path
    }

    /// `text` as one single-quoted shell word.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
