/// When a build pulls its base images (`--pull`), as Docker and Podman name the choices.
public enum PullPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Pull every time, to get the newest image under the tag.
    case always
    /// Pull only when the store lacks the image.
    case missing
    /// Never pull: an image the store lacks is an error.
    case never
}
