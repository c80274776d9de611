import Testing

@testable import HoistBuild

/// COPY source wildcards follow Go's `filepath.Match`, which BuildKit resolves sources with.
@Suite("COPY wildcards")
struct WildcardPatternTests {
    @Test(arguments: [
        ("*", ".hidden", true), ("?hidden", ".hidden", true), ("*.txt", ".txt", true), ("a*", "a", true),
        ("a*b*c", "axxbyyc", true), ("a*b*c", "axxbyy", false), ("*x", "abc", false), ("a?c", "abc", true),
        ("a?c", "ac", false), ("[a-c]x", "bx", true), ("[^a-c]x", "bx", false), ("[^a-c]x", "dx", true),
        ("[!a]", "!", true), ("[!a]", "b", false), ("\\*", "*", true), ("\\*", "x", false), ("[\\]]", "]", true),
        ("[z-a]", "m", false), ("a[", "a[", false), ("[]", "]", false), ("[a-]", "a", false), ("x\\", "x\\", false),
        ("[[:alpha:]]", "a", false), ("é?", "éa", true), ("*", "", true), ("", "", true), ("", "a", false),
        ("**", "ab", true), ("*a*a*a*a*a*b", String(repeating: "a", count: 200), false),
    ])
    func matchesAsGoDoes(pattern: String, name: String, expected: Bool) {
        #expect(WildcardPattern(pattern).matches(name) == expected, "\(pattern) ~ \(name)")
    }

    @Test func escapedCharactersAreNotWildcards() {
        #expect(WildcardPattern.containsWildcards("a*"))
        #expect(WildcardPattern.containsWildcards("[x]"))
        #expect(!WildcardPattern.containsWildcards("a\\*"))
        #expect(!WildcardPattern.containsWildcards("plain.txt"))
    }
}
