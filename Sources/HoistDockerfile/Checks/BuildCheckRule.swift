/// The build checks Hoist runs, named as BuildKit names them (`docker build --check`).
public enum BuildCheckRule: String, Sendable, Hashable, CaseIterable {
    case jsonArgsRecommended = "JSONArgsRecommended"
    case stageNameCasing = "StageNameCasing"
    case fromAsCasing = "FromAsCasing"
    case consistentInstructionCasing = "ConsistentInstructionCasing"
    case undefinedArgInFrom = "UndefinedArgInFrom"
    case invalidDefaultArgInFrom = "InvalidDefaultArgInFrom"
    case duplicateStageName = "DuplicateStageName"
    case reservedStageName = "ReservedStageName"
    case multipleInstructionsDisallowed = "MultipleInstructionsDisallowed"
    case maintainerDeprecated = "MaintainerDeprecated"
    case secretsUsedInArgOrEnv = "SecretsUsedInArgOrEnv"
    case noEmptyContinuation = "NoEmptyContinuation"
    case workdirRelativePath = "WorkdirRelativePath"
    case legacyKeyValueFormat = "LegacyKeyValueFormat"
    case redundantTargetPlatform = "RedundantTargetPlatform"
    case fromPlatformFlagConstDisallowed = "FromPlatformFlagConstDisallowed"
    case exposeProtoCasing = "ExposeProtoCasing"
    case exposeInvalidFormat = "ExposeInvalidFormat"
    case undefinedVar = "UndefinedVar"
    case copyIgnoredFile = "CopyIgnoredFile"
    case invalidDefinitionDescription = "InvalidDefinitionDescription"

    /// Rules that run only when `# check=experimental=…` names them (or `all`).
    public var isExperimental: Bool { self == .invalidDefinitionDescription }

    /// One line on what the rule guards against.
    public var summary: String {
        switch self {
        case .jsonArgsRecommended:
            "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals"
        case .stageNameCasing: "Stage names should be lowercase"
        case .fromAsCasing: "The 'as' keyword should match the case of the 'from' keyword"
        case .consistentInstructionCasing:
            "All commands within the Dockerfile should use the same casing (either upper or lower)"
        case .undefinedArgInFrom: "FROM command must use declared ARGs"
        case .invalidDefaultArgInFrom: "Default value for global ARG results in an empty or invalid base image name"
        case .duplicateStageName: "Stage names should be unique"
        case .reservedStageName: "Reserved words should not be used as stage names"
        case .multipleInstructionsDisallowed:
            "Multiple instructions of the same type should not be used in the same stage"
        case .maintainerDeprecated:
            "The MAINTAINER instruction is deprecated, use a label instead to define an image author"
        case .secretsUsedInArgOrEnv: "Sensitive data should not be used in the ARG or ENV commands"
        case .noEmptyContinuation: "Empty continuation lines will become errors in a future release"
        case .workdirRelativePath:
            "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes"
        case .legacyKeyValueFormat: "Legacy key/value format with whitespace separator should not be used"
        case .redundantTargetPlatform:
            "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"
        case .fromPlatformFlagConstDisallowed: "FROM --platform flag should not use a constant value"
        case .exposeProtoCasing: "Protocol in EXPOSE instruction should be lowercase"
        case .exposeInvalidFormat:
            "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release"
        case .undefinedVar: "Variables should be defined before their use"
        case .copyIgnoredFile: "Attempting to Copy file that is excluded by .dockerignore"
        case .invalidDefinitionDescription:
            "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment."
        }
    }

    /// BuildKit's documentation page for the rule.
    public var documentationURL: String {
        let slug = rawValue.unicodeScalars.reduce(into: "") { text, scalar in
            if ("A"..."Z").contains(scalar), !text.isEmpty { text += "-" }
            text += String(scalar).lowercased()
        }
        return "https://docs.docker.com/go/dockerfile/rule/\(slug.replacingOccurrences(of: "j-s-o-n", with: "json"))/"
    }
}

/// One finding of a build check, located in the Dockerfile.
public struct BuildCheckWarning: Sendable, Hashable, CustomStringConvertible {
    /// The rule that fired.
    public var rule: BuildCheckRule
    /// The specific message.
    public var message: String
    /// Where.
    public var range: SourceRange

    /// `Dockerfile:LINE:COL: RuleName: message`-style text (the caller adds the file name).
    public var description: String { "\(range.start): \(rule.rawValue): \(message)" }
}

/// The `# check=skip=Rule1,Rule2;error=true` directive (or the same text from the CLI).
public struct BuildCheckConfiguration: Sendable, Hashable {
    /// Rules not to run.
    public var skipped: Set<BuildCheckRule> = []
    /// Whether every rule is skipped (`skip=all`).
    public var skipsAll = false
    /// Experimental rules asked for (`experimental=Rule`), and whether all are (`experimental=all`).
    public var experimental: Set<BuildCheckRule> = []
    public var allExperimental = false
    /// Whether any warning fails the build (`error=true`).
    public var warningsAreErrors = false

    /// The default: every rule, warnings only.
    public init() {}

    /// Parses the directive's value; unknown rule names are ignored, as BuildKit does.
    /// - Throws: ``DockerfileError`` for a malformed value.
    public init(directive: String) throws {
        for part in directive.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingScalars(in: " \t") }
            guard pair.count == 2 else {
                throw DockerfileError(line: 0, message: "invalid check directive \"\(directive)\"")
            }
            switch pair[0].lowercased() {
            case "skip":
                for name in pair[1].split(separator: ",").map({ $0.trimmingScalars(in: " \t") }) {
                    if name.lowercased() == "all" { skipsAll = true }
                    if let rule = BuildCheckRule(rawValue: name) { skipped.insert(rule) }
                }
            case "error":
                switch pair[1].lowercased() {
                case "true", "1": warningsAreErrors = true
                case "false", "0": warningsAreErrors = false
                default:
                    throw DockerfileError(
                        line: 0, message: "invalid check directive \"\(directive)\": error=\(pair[1])")
                }
            case "experimental":
                for name in pair[1].split(separator: ",").map({ $0.trimmingScalars(in: " \t") }) {
                    if name.lowercased() == "all" { allExperimental = true }
                    if let rule = BuildCheckRule(rawValue: name) { experimental.insert(rule) }
                }
            default:
                throw DockerfileError(
                    line: 0, message: "invalid check directive \"\(directive)\": unknown key \(pair[0])")
            }
        }
    }

    /// Whether `rule` runs.
    public func isEnabled(_ rule: BuildCheckRule) -> Bool {
        rule.isExperimental ? allExperimental || experimental.contains(rule) : !skipsAll && !skipped.contains(rule)
    }

    /// This configuration with what a `check=…` comment right above an instruction adds for
    /// that instruction alone (skipped and experimental rules; the value ends at a space, so
    /// `# check=skip=Rule // why` works), as BuildKit merges it.
    public func merging(comments: [String]) -> BuildCheckConfiguration {
        guard let comment = comments.first(where: { $0.lowercased().hasPrefix("check=") }) else { return self }
        let value = String(comment.dropFirst("check=".count).prefix { $0 != " " && $0 != "\t" })
        guard let local = try? BuildCheckConfiguration(directive: value) else { return self }
        var merged = self
        merged.skipped.formUnion(local.skipped)
        merged.skipsAll = merged.skipsAll || local.skipsAll
        merged.experimental.formUnion(local.experimental)
        merged.allExperimental = merged.allExperimental || local.allExperimental
        return merged
    }
}

extension StringProtocol {
    func trimmingScalars(in set: String) -> String {
        String(self).trimming { set.unicodeScalars.contains($0) }
    }
}
