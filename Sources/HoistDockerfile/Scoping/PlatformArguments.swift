/// An `os/architecture[/variant]` platform as the predefined build arguments describe it.
public struct PlatformSpecifier: Sendable, Hashable, CustomStringConvertible {
    /// `linux`, `windows`, …
    public var os: String
    /// `amd64`, `arm64`, …
    public var architecture: String
    /// `v7`, `v8`, … or "" when none.
    public var variant: String

    /// Creates a platform.
    public init(os: String, architecture: String, variant: String = "") {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    /// Parses `linux/arm64/v8`; nil for anything else than two or three non-empty parts.
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts.contains(where: \.isEmpty) else { return nil }
        self.init(os: parts[0], architecture: parts[1], variant: parts.count == 3 ? parts[2] : "")
    }

    /// The machine Hoist runs on (Linux).
    public static var host: PlatformSpecifier {
        #if arch(arm64)
            PlatformSpecifier(os: "linux", architecture: "arm64")
        #elseif arch(arm)
            PlatformSpecifier(os: "linux", architecture: "arm", variant: "v7")
        #elseif arch(s390x)
            PlatformSpecifier(os: "linux", architecture: "s390x")
        #elseif arch(powerpc64le)
            PlatformSpecifier(os: "linux", architecture: "ppc64le")
        #else
            PlatformSpecifier(os: "linux", architecture: "amd64")
        #endif
    }

    public var description: String { [os, architecture, variant].filter { !$0.isEmpty }.joined(separator: "/") }
}

/// What a build invocation contributes to variable scoping: `--build-arg` values and the
/// platforms behind the predefined arguments.
public struct BuildArguments: Sendable, Hashable {
    /// The proxy arguments: usable by `RUN` without an `ARG` line, and kept out of the image
    /// history unless the Dockerfile declares them.
    public static let proxyNames: Set<String> = [
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy",
        "ALL_PROXY", "all_proxy",
    ]

    /// `--build-arg NAME=value` pairs.
    public var values: [String: String]
    /// The platform being built for (`--platform`).
    public var targetPlatform: PlatformSpecifier
    /// The platform the build runs on.
    public var buildPlatform: PlatformSpecifier
    /// The stage asked for (`--target`); nil for the last one.
    public var targetStage: String?

    /// Creates the arguments; both platforms default to the host.
    public init(
        values: [String: String] = [:], targetPlatform: PlatformSpecifier = .host,
        buildPlatform: PlatformSpecifier = .host
    ) {
        self.values = values
        self.targetPlatform = targetPlatform
        self.buildPlatform = buildPlatform
    }

    /// The predefined platform arguments (`TARGETPLATFORM`, `TARGETOS`, `TARGETARCH`,
    /// `TARGETVARIANT`, `BUILDPLATFORM`, `BUILDOS`, `BUILDARCH`, `BUILDVARIANT`), available in
    /// the global scope and, once declared with `ARG NAME`, inside a stage.
    public var platformValues: [String: String] {
        [
            "TARGETPLATFORM": targetPlatform.description, "TARGETOS": targetPlatform.os,
            "TARGETARCH": targetPlatform.architecture, "TARGETVARIANT": targetPlatform.variant,
            "BUILDPLATFORM": buildPlatform.description, "BUILDOS": buildPlatform.os,
            "BUILDARCH": buildPlatform.architecture, "BUILDVARIANT": buildPlatform.variant,
        ]
    }
}
