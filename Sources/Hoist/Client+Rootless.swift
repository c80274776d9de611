import HoistRuntime

extension Client {
    /// Moves this program into Hoist's rootless session when an unprivileged user runs it on
    /// the native backend: it is executed again, with the same arguments, as root of a user
    /// namespace mapped to the user and their subordinate ids, and this call does not return.
    /// For root, and inside the session, it returns at once. Call it first thing in `main`,
    /// before threads hold anything worth keeping (`hoist` does, for native commands).
    ///
    /// Throws `failedPrecondition` saying what to install or configure when the session cannot
    /// be made (no subordinate ids in `/etc/subuid`, no `newuidmap`).
    public static func enterRootlessSessionIfNeeded() throws {
        try RootlessSession.enterIfNeeded()
    }
}
