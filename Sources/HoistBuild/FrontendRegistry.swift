import Synchronization

/// The frontends Swift packages registered, by the name a Dockerfile's `# syntax=` gives.
/// Registration is process-wide, as a `# syntax=` line names one frontend for every build.
public enum FrontendRegistry {
    private static let frontends = Mutex<[String: any BuildFrontend]>([:])

    /// Makes `frontend` build Dockerfiles that start with `# syntax=NAME`; a later registration
    /// of the same name replaces it.
    public static func register(_ frontend: any BuildFrontend, as name: String) {
        frontends.withLock { $0[name] = frontend }
    }

    /// Forgets the frontend registered as `name`.
    public static func unregister(_ name: String) {
        _ = frontends.withLock { $0.removeValue(forKey: name) }
    }

    /// The frontend registered as `name`, if any.
    public static func frontend(named name: String) -> (any BuildFrontend)? {
        frontends.withLock { $0[name] }
    }
}
