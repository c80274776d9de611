/// The numeric user and group IDs a container may run as or own files as: `0…2147483647`, the
/// range Docker and runc accept. Larger values are not harmless: `4294967295` is `(uid_t)-1`,
/// which `setresuid` reads as "leave unchanged", so a container "running as" it keeps root.
public enum AccountID {
    /// The IDs allowed.
    public static let range: ClosedRange<UInt32> = 0...2_147_483_647

    /// The ID `text` spells in decimal, or nil when it is not a number at all (a name).
    /// Throws `invalidArgument` with Docker's message for a number outside ``range``.
    public static func parse(_ text: String) throws -> UInt32? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        guard let value = UInt32(text) else { throw outOfRange(text) }
        try check(value)
        return value
    }

    /// Throws `invalidArgument` when `id` (from a number or a passwd/group entry) is outside ``range``.
    public static func check(_ id: UInt32) throws {
        guard range.contains(id) else { throw outOfRange(String(id)) }
    }

    private static func outOfRange(_ text: String) -> OCIError {
        OCIError(.invalidArgument, "uids and gids must be in range 0-2147483647 (got \(text))")
    }
}
