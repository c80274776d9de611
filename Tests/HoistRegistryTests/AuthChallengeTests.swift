import Testing

@testable import HoistRegistry

@Suite struct AuthChallengeTests {
    @Test func parsesBearerWithQuotedParameters() {
        let challenges = AuthChallenge.parse(
            #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull""#)
        #expect(challenges.count == 1, "\(challenges)")
        #expect(challenges.first?.scheme == .bearer)
        #expect(challenges.first?.realm == "https://auth.docker.io/token")
        #expect(challenges.first?.service == "registry.docker.io")
        #expect(challenges.first?.scope == "repository:library/busybox:pull")
    }

    @Test func parsesSeveralChallengesAndEscapes() {
        let challenges = AuthChallenge.parse(
            #"Basic realm="Registry \"R\"", Bearer realm="http://h/t",error="insufficient_scope",scope="a:b:pull b:c:push""#)
        #expect(challenges.map(\.scheme) == [.basic, .bearer], "\(challenges)")
        #expect(challenges.first?.realm == #"Registry "R""#)
        #expect(challenges.last?.parameters["error"] == "insufficient_scope")
        #expect(challenges.last?.scope == "a:b:pull b:c:push")
    }

    @Test func skipsUnknownSchemesAndTakesTokenValues() {
        let challenges = AuthChallenge.parse("Negotiate, basic realm=registry")
        #expect(challenges == [AuthChallenge(scheme: .basic, parameters: ["realm": "registry"])], "\(challenges)")
    }
}
