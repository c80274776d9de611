import Foundation
public import HoistOCI

/// S2I's check of an image's users against `--allowed-uids` (its `CheckAllowedUser`), made of
/// the builder image, the runtime image and the image `rebuild` starts from, in S2I's order:
///
/// 1. if the image has ONBUILD triggers, the user of every `ONBUILD USER` (the word split off
///    at any whitespace, `uid:gid` read as its uid) must be allowed;
/// 2. then `--assemble-user`, when given, must be allowed (as written: a `uid:gid` is not a
///    number), and nothing more is checked;
/// 3. else the image's `io.openshift.s2i.assemble-user` label, when set, decides;
/// 4. else the image's `USER` must be allowed — an image without one is refused, as S2I
///    refuses it (an empty user is not a number).
public struct AllowedUserCheck: Sendable {
    public let allowed: AllowedUIDs

    public init(_ allowed: AllowedUIDs) {
        self.allowed = allowed
    }

    /// Checks image `image`, whose config is `config`; `assembleUser` is `--assemble-user`.
    ///
    /// - Throws: ``S2IError`` `failedPrecondition` naming the image, the user and the range.
    public func check(image: String, config: ImageConfig, assembleUser: String?) throws {
        guard !allowed.isEmpty else { return }
        let container = config.config ?? ContainerConfig()
        for trigger in container.onBuild ?? [] {
            guard let user = Self.onBuildUser(trigger), !allowed.allows(user) else { continue }
            throw refusal(
                "image \"\(image)\" includes at least one ONBUILD instruction that sets the user to a user that is not allowed: \"\(trigger)\"")
        }
        if let assembleUser, !assembleUser.isEmpty {
            guard allowed.allows(assembleUser) else {
                throw refusal("assemble user \"\(assembleUser)\" (--assemble-user) for image \"\(image)\" must be numeric and within the range of allowed users")
            }
            return
        }
        if let label = container.labels?[S2ILabels.assembleUser], !label.isEmpty {
            guard allowed.allows(Self.uid(of: label)) else {
                throw refusal(
                    "image \"\(image)\" includes the \"\(S2ILabels.assembleUser)\" label whose value \"\(label)\" is not within the allowed range")
            }
            return
        }
        let user = Self.uid(of: container.user ?? "")
        guard allowed.allows(user) else {
            throw refusal(
                "image \"\(image)\" must specify a user that is numeric and within the range of allowed users; its user is \(user.isEmpty ? "not set (root)" : "\"\(user)\"")")
        }
    }

    private func refusal(_ message: String) -> S2IError {
        S2IError(.failedPrecondition, message + " (--allowed-uids \(allowed))")
    }

    /// The user part of `name`, `uid` or `uid:gid`, trimmed.
    static func uid(of user: String) -> String {
        String(user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: .whitespaces)
    }

    /// The user an ONBUILD trigger sets, if it is a `USER` instruction: its first word (split
    /// at any of space, tab, vertical tab, form feed and carriage return) read without case.
    static func onBuildUser(_ trigger: String) -> String? {
        let separators: Set<Character> = [" ", "\t", "\u{0B}", "\u{0C}", "\r"]
        guard let end = trigger.firstIndex(where: { separators.contains($0) }),
            trigger[..<end].lowercased() == "user"
        else { return nil }
        let rest = trigger[end...].drop { separators.contains($0) }
        return uid(of: String(rest))
    }
}
