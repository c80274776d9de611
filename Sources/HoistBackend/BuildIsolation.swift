/// How a build's RUN steps are kept apart from the machine (`hoist build --isolation`).
public enum BuildIsolation: String, Sendable, Hashable, CaseIterable {
    /// Each step in a container of its own (runc or crun) on a snapshot of the store.
    case `default`
    /// For locked-down pods where no runtime works (no `CAP_SYS_ADMIN`, no user namespaces,
    /// Docker's seccomp profile), as Kaniko builds: the container hoist runs in is given over
    /// to the build — its `/` emptied and rebuilt as each stage's tree, steps run in it as
    /// plain child processes, their layers taken by comparing the tree with a record of it
    /// made before each step. Runs only when asked for, as root, on the native backend, and
    /// where a container is detected (``Client/build(_:)`` refuses otherwise); never outside a
    /// throwaway container. Mount points, the store and the build's inputs are kept.
    case pod
}
