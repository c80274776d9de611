import HoistBuild
import HoistOCI
import Testing

/// What ``BuildState`` puts in the graph, without solving anything.
@Suite struct BuildStateTests {
    @Test func aRunsEnvironmentIsOrderedByNameWhateverOrderItWasSetIn() throws {
        let one = BuildState.image("busybox").env("B", "2").env("A1", "x").env("A", "1").run(["true"])
        let other = BuildState.image("busybox").env("A", "1").run(["true"], environment: ["A1": "x", "B": "2"])
        guard case .exec(let exec) = one.vertex.op else {
            Issue.record("not an exec: \(one.vertex.op)")
            return
        }
        // By name: "A" before "A1" although "A1=" sorts before "A=" as text.
        #expect(exec.environment.map { $0.split(separator: "=").first.map(String.init) ?? "" } == ["A", "A1", "B", "PATH"])
        #expect(one.vertex == other.vertex)
        #expect(one.environment.last == "A=1", "the state keeps the order it was given in for the image")
    }

    @Test func aPlatformPinsTheImageSourceAndStaysWithLaterSteps() {
        let arm = Platform(os: "linux", architecture: "arm64")
        let state = BuildState.image("busybox").with(platform: arm)
        #expect(state.vertex.op == .source(.image(reference: "busybox", platform: arm)))
        #expect(state.mkdir("/x").platform == arm)
        // Past the source, the platform is the image's to say; the graph is left as it was.
        let later = BuildState.image("busybox").mkdir("/x")
        #expect(later.with(platform: arm).vertex == later.vertex)
    }

    @Test func aFrontendsStateCarriesItsConfigHistoryAndWarnings() {
        var config = ImageConfig(platform: Platform(os: "linux", architecture: "amd64"))
        config.config = ContainerConfig()
        config.config?.env = ["PATH=/bin", "MODE=fast"]
        config.config?.workingDir = "/app"
        config.config?.user = "nobody"
        let warning = BuildWarning(rule: "UndefinedVar", message: "Usage of undefined variable '$X'", file: "Dockerfile", line: 3, column: 1)
        let state = BuildState(BuildState.scratch.vertex, imageConfig: config, baseHistory: [HistoryEntry(createdBy: "base")], warnings: [warning])
            .run(["true"])
        #expect(state.environment == ["PATH=/bin", "MODE=fast"])
        #expect(state.workingDirectory == "/app" && state.user == "nobody")
        #expect(state.imageConfig == config && state.baseHistory?.count == 1)
        #expect(state.warnings == [warning])
        #expect(state.steps.count == 1)
        let merged = BuildState.merge([state, BuildState.scratch.warning(BuildWarning(message: "second"))])
        #expect(merged.warnings.map(\.description) == ["Dockerfile:3:1: UndefinedVar: Usage of undefined variable '$X'", "second"])
    }
}
