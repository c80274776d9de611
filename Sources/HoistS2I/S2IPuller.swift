import HoistOCI
import HoistRegistry

/// Pulls images for an S2I build as S2I's `pkg/docker` does: by the pull policy; a failed
/// pull tried again (S2I: 6 more times, 5 s apart) when the failure is one S2I retries — the
/// registry refused or dropped the connection — and given up when it shows no progress for
/// the API timeout (S2I: 2 minutes).
struct S2IPuller: Sendable {
    let host: any S2IHost
    let registry: RegistryConfiguration
    let retry: RetryPolicy
    let timeout: Duration
    let progress: S2IProgress

    /// The puller of `request`: its registry settings, with the credentials of
    /// `--dockercfg-path` when given, its retries and its timeout.
    init(_ request: S2IRequest, host: any S2IHost, progress: S2IProgress) {
        var registry = request.registry
        if let file = request.dockerConfigFile {
            registry.credentials = CredentialStore(configFile: DockerConfigFile(file: file))
        }
        self.host = host
        self.registry = registry
        retry = request.pullRetry
        timeout = request.apiTimeout
        self.progress = progress
    }

    /// The image `reference` as `policy` says: pulled (`always`), pulled when missing
    /// (`ifNotPresent`), or as it is (`never`, nil when missing).
    func obtain(_ reference: String, policy: S2IPullPolicy) async throws -> S2IImage? {
        if policy != .always, let image = try await inspect(reference) { return image }
        guard policy != .never else { return nil }
        try await pull(reference)
        guard let image = try await inspect(reference) else {
            throw S2IError(.notFound, "image \(reference) is not there after it was pulled")
        }
        return image
    }

    /// The backend's image `reference`, nil when missing; bounded by the API timeout.
    func inspect(_ reference: String) async throws -> S2IImage? {
        let host = host
        return try await withInactivityTimeout(timeout, "inspecting image \(reference)") { _ in try await host.image(reference) }
    }

    /// Pulls `reference`, with S2I's retries.
    func pull(_ reference: String) async throws {
        var settings = registry
        // The retries are S2I's, here; the registry client tries each time once.
        settings.retry = .never
        settings.idleTimeout = min(settings.idleTimeout, timeout)
        let once = settings
        let host = host
        var attempt = 1
        while true {
            progress.report(.pulling(image: reference, attempt: attempt))
            do {
                try await withInactivityTimeout(timeout, "pulling image \(reference)") { progressed in
                    try await host.pull(reference, registry: once, activity: progressed)
                }
                return
            } catch {
                let again = attempt < retry.maximumAttempts && Self.isRetriable(error)
                let pause = retry.delay(afterAttempt: attempt)
                progress.report(.pullFailed(image: reference, attempt: attempt, error: "\(error)", retryIn: again ? pause : nil))
                guard again else {
                    throw S2IError(
                        (error as? any HoistError)?.code ?? .unavailable,
                        "cannot pull image \(reference)" + (attempt > 1 ? " (gave up after \(attempt) tries)" : ""), underlying: error)
                }
                try await Task.sleep(for: pause)
                attempt += 1
            }
        }
    }

    /// Whether S2I tries a failed pull again: when the registry (or the daemon's connection to
    /// it) refused or dropped the connection. A registry's answer (not found, denied, 5xx) is
    /// final, as in S2I.
    static func isRetriable(_ error: any Error) -> Bool {
        if let error = error as? RegistryError { return error.isTransient && error.status == nil }
        // The Docker daemon reports a failed pull only as its text: S2I matches that text
        // against its list, and so does this.
        if let error = error as? any HoistError, error.code == .unavailable {
            let text = "\(error)"
            return retriableDaemonMessages.contains { text.contains($0) }
        }
        return false
    }

    /// S2I's `RetriableErrors`.
    static let retriableDaemonMessages = [
        "ping attempt failed with error", "is already in progress", "connection reset by peer",
        "transport closed before response was received", "connection refused",
    ]
}
