/// Picks, from an index, the manifests a platform can run, best first — as containerd's
/// `platforms.Only` does for `docker pull`.
///
/// A matcher holds an ordered list of acceptable platforms: the wanted one first, then what it
/// can also run (an `arm/v7` host runs `v6` and `v5`; an `arm64` host runs `arm`; an `amd64`
/// host runs `386`). Candidates are compared after normalisation.
public struct PlatformMatcher: Sendable, Hashable {
    /// The acceptable platforms, most preferred first, normalised.
    public let preferences: [Platform]

    /// Accepts `platform` and every platform it can run, preferring the closest.
    public init(compatibleWith platform: Platform) {
        preferences = Self.compatibilityVector(platform.normalized)
    }

    /// Accepts exactly `platform` (after normalisation), as containerd's `OnlyStrict`.
    public static func exactly(_ platform: Platform) -> PlatformMatcher {
        PlatformMatcher(preferences: [platform.normalized])
    }

    /// Accepts the given platforms in the given order of preference.
    public init(preferences: [Platform]) {
        self.preferences = preferences.map(\.normalized)
    }

    /// The matcher for the host: its platform and what it can run.
    public static var host: PlatformMatcher { PlatformMatcher(compatibleWith: .host) }

    /// Whether `candidate` is acceptable.
    public func matches(_ candidate: Platform) -> Bool { rank(of: candidate) != nil }

    /// The position of the first preference `candidate` satisfies (0 is best); nil when none.
    public func rank(of candidate: Platform) -> Int? {
        let normalized = candidate.normalized
        return preferences.firstIndex { Self.satisfies(normalized, $0) }
    }

    /// Whether `candidate` is a better choice than `other`: it satisfies an earlier preference,
    /// or the same one while requiring more OS features (the more specific image).
    public func prefers(_ candidate: Platform, over other: Platform) -> Bool {
        switch (rank(of: candidate), rank(of: other)) {
        case (nil, _): false
        case (.some, nil): true
        case (.some(let a), .some(let b)):
            a != b ? a < b : (candidate.osFeatures?.count ?? 0) > (other.osFeatures?.count ?? 0)
        }
    }

    /// The best entry of an index's manifest list for this matcher; entries without a platform
    /// (such as attestation manifests) are never chosen. Ties keep the index's order.
    public func bestMatch(in manifests: [Descriptor]) -> Descriptor? {
        var best: Descriptor?
        for entry in manifests {
            guard let platform = entry.platform, matches(platform) else { continue }
            if let current = best?.platform, !prefers(platform, over: current) { continue }
            best = entry
        }
        return best
    }

    /// The acceptable entries of `manifests`, best first.
    public func sorted(_ manifests: [Descriptor]) -> [Descriptor] {
        let candidates = manifests.enumerated().compactMap { offset, entry -> (Int, Platform, Descriptor)? in
            guard let platform = entry.platform, matches(platform) else { return nil }
            return (offset, platform, entry)
        }
        return candidates.sorted { lhs, rhs in
            if prefers(lhs.1, over: rhs.1) { return true }
            if prefers(rhs.1, over: lhs.1) { return false }
            return lhs.0 < rhs.0
        }.map(\.2)
    }

    /// Whether normalised `candidate` is the wanted normalised platform: same OS, architecture
    /// and variant, and needing no OS feature the wanted one lacks.
    private static func satisfies(_ candidate: Platform, _ wanted: Platform) -> Bool {
        guard candidate.os == wanted.os, candidate.architecture == wanted.architecture,
            candidate.variant == wanted.variant
        else { return false }
        let required = Set(candidate.osFeatures ?? [])
        return required.isSubset(of: Set(wanted.osFeatures ?? []))
    }

    /// `platform` followed by the older variants and architectures it can also run.
    private static func compatibilityVector(_ platform: Platform) -> [Platform] {
        func sibling(_ architecture: String, _ variant: String?) -> Platform {
            var copy = platform
            copy.architecture = architecture
            copy.variant = variant
            copy.unknownFields = [:]
            return copy
        }
        switch platform.architecture {
        case "amd64":
            var vector = [platform]
            if let level = platform.variant.flatMap({ Int($0.dropFirst()) }), level > 1 {
                for lower in stride(from: level - 1, through: 1, by: -1) {
                    // v1 is amd64's baseline, which normalisation writes as no variant.
                    vector.append(sibling("amd64", lower == 1 ? nil : "v\(lower)"))
                }
            }
            vector.append(sibling("386", nil))
            return vector
        case "arm":
            var vector = [platform]
            if let version = platform.variant.flatMap({ Int($0.dropFirst()) }), version > 5 {
                for lower in stride(from: version - 1, through: 5, by: -1) {
                    vector.append(sibling("arm", "v\(lower)"))
                }
            }
            return vector
        case "arm64":
            let variant = platform.variant ?? "v8"
            let generations = arm64Generations(variant)
            // An unknown variant still runs its own images (containerd would accept nothing).
            var vector: [Platform] = generations.isEmpty ? [platform] : []
            for (major, minor) in generations {
                for step in stride(from: minor, through: 0, by: -1) {
                    let name = step == 0 ? "v\(major)" : "v\(major).\(step)"
                    vector.append(sibling("arm64", sibling("arm64", name).normalized.variant))
                }
            }
            // Every arm64 CPU up to v9 also runs 32-bit arm code from v8 down.
            let armVariant = variant.hasPrefix("v8") || variant.hasPrefix("v9") ? "v8" : variant
            return vector + compatibilityVector(sibling("arm", armVariant))
        default:
            return [platform]
        }
    }

    /// The (major, highest minor) generations an arm64 variant implements: v9.x also runs
    /// v8.(x+5), as Arm defines the two lines.
    private static func arm64Generations(_ variant: String) -> [(Int, Int)] {
        let parts = variant.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard variant.hasPrefix("v"), (1...2).contains(parts.count), let major = Int(parts[0]),
            let minor = parts.count == 2 ? Int(parts[1]) : 0, minor >= 0
        else { return [] }
        switch major {
        case 8 where minor <= 9: return [(8, minor)]
        case 9 where minor <= 7: return [(9, minor), (8, min(minor + 5, 9))]
        default: return []
        }
    }
}
