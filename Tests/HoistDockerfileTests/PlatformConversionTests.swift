import Foundation
import HoistBuild
import HoistDockerfile
import HoistOCI
import Synchronization
import Testing

/// A Dockerfile converted for one platform of a multi-platform build (issue 20): base images
/// asked for that platform, BuildKit's platform arguments, RUN steps that say they need it, and
/// a `FROM --platform=$BUILDPLATFORM` stage that is the same graph whatever the target.
struct PlatformConversionTests {
    /// Answers every image with an empty config for the platform asked (the host's for none),
    /// keeping what was asked.
    final class Images: ImageSource {
        let asked = Mutex<[String]>([])

        func resolve(_ reference: String, platform: Platform?) async throws -> (config: ImageConfig, layers: [LayerRef]) {
            asked.withLock { $0.append("\(reference) \(platform?.description ?? "-")") }
            var config = ImageConfig(platform: platform ?? .host)
            config.config = ContainerConfig()
            return (config, [])
        }
    }

    static let dockerfile = """
        FROM --platform=$BUILDPLATFORM busybox AS builder
        RUN uname -m > /built-on
        FROM busybox
        ARG TARGETPLATFORM
        ARG TARGETARCH
        ARG TARGETVARIANT
        COPY --from=builder /built-on /
        RUN uname -m > /arch
        """

    static func convert(for platform: Platform?) async throws -> (BuildState, Images) {
        let images = Images()
        let state = try await DockerfileFrontend().graph(FrontendRequest(
            definition: dockerfile, fileName: "Dockerfile", contextDirectory: "/nonexistent", platform: platform, images: images))
        return (state, images)
    }

    /// The exec ops of the graph, by the command they run.
    static func execs(_ state: BuildState) -> [String: ExecOp] {
        var execs: [String: ExecOp] = [:]
        for vertex in state.vertex.topologicallySorted {
            if case .exec(let exec) = vertex.op { execs[exec.arguments.joined(separator: " ")] = exec }
        }
        return execs
    }

    @Test func aForeignPlatformsStagesAskForItAndTheBuildPlatformsStageIsShared() async throws {
        #expect(Platform.host.architecture == "amd64" || Platform.host.architecture == "arm64")
        let foreign = Platform.host.architecture == "amd64" ? "arm64" : "amd64"
        let (state, images) = try await Self.convert(for: Platform(os: "linux", architecture: foreign))
        #expect(images.asked.withLock { $0 }.sorted() == ["busybox \(Platform.host.normalized)", "busybox linux/\(foreign)"].sorted())
        #expect(state.imageConfig?.architecture == foreign && state.imageConfig?.os == "linux")

        let execs = Self.execs(state)
        let builder = try #require(execs["/bin/sh -c uname -m > /built-on"])
        let target = try #require(execs["/bin/sh -c uname -m > /arch"])
        #expect(builder.platform == nil, "the build platform's step runs natively")
        #expect(target.platform == Platform(os: "linux", architecture: foreign))
        #expect(target.environment.contains("TARGETPLATFORM=linux/\(foreign)") && target.environment.contains("TARGETARCH=\(foreign)"))
        #expect(target.environment.contains("TARGETVARIANT="))

        // The host's platform, named or not, converts the builder stage to the same vertex.
        let (native, _) = try await Self.convert(for: .host)
        let (unnamed, _) = try await Self.convert(for: nil)
        let builderVertex = { (state: BuildState) in
            state.vertex.topologicallySorted.first { vertex in
                if case .exec(let exec) = vertex.op { return exec.arguments.last == "uname -m > /built-on" }
                return false
            }?.digest
        }
        #expect(builderVertex(state) != nil && builderVertex(state) == builderVertex(native))
        #expect(Self.execs(native)["/bin/sh -c uname -m > /arch"]?.platform == nil, "the host's platform is not written in")
        #expect(builderVertex(unnamed) != nil)
    }

    @Test func platformArgumentsAreNormalisedAsBuildKitSetsThem() async throws {
        let (state, _) = try await Self.convert(for: try Platform(parsing: "linux/arm64/v8"))
        let target = try #require(Self.execs(state)["/bin/sh -c uname -m > /arch"])
        #expect(target.environment.contains("TARGETPLATFORM=linux/arm64") || Platform.host.architecture == "arm64")
        let (arm, _) = try await Self.convert(for: try Platform(parsing: "linux/arm"))
        let armTarget = try #require(Self.execs(arm)["/bin/sh -c uname -m > /arch"])
        #expect(armTarget.environment.contains("TARGETPLATFORM=linux/arm/v7") && armTarget.environment.contains("TARGETVARIANT=v7"))
        #expect(arm.imageConfig?.architecture == "arm" && arm.imageConfig?.variant == "v7")
    }
}
