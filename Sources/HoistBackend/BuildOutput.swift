import Foundation

/// Where `hoist build --output` sends the result, besides the store.
public enum BuildOutput: Sendable, Hashable {
    /// An OCI image layout in a tar (`type=oci,dest=F`).
    case oci(path: String)
    /// A Docker archive for `docker load` (`type=docker,dest=F`).
    case docker(path: String)
    /// The root filesystem as files in a directory (`type=local,dest=DIR`).
    case local(directory: String)
    /// The root filesystem as a tar (`type=tar,dest=F`).
    case tar(path: String)
    /// The image in the store under `names` besides the build's tags, and pushed to their
    /// registries when `push` (`type=image,name=N,push=true`; `type=registry` always pushes).
    /// Without names, the build's tags are meant.
    case image(names: [String], push: Bool)

    /// Parses Docker's `--output` syntax: `type=local,dest=out`, or a bare path meaning local.
    public init(parsing text: String) throws {
        guard text.contains("=") else {
            self = .local(directory: text)
            return
        }
        let fields = try AttributeList(parsing: text, option: "--output")
        let type = fields["type"] ?? "local"
        if type == "image" || type == "registry" {
            let push = fields["push"] ?? (type == "registry" ? "true" : "false")
            guard push == "true" || push == "false" else {
                throw ClientError(.invalidArgument, "--output \(text): push=\(push); use true or false")
            }
            self = .image(names: fields["name"].map { [$0] } ?? [], push: type == "registry" || push == "true")
            return
        }
        guard let destination = fields["dest"] ?? fields["destination"] else {
            throw ClientError(.invalidArgument, "--output \(text): dest= is required")
        }
        switch type {
        case "oci": self = .oci(path: destination)
        case "docker": self = .docker(path: destination)
        case "local": self = .local(directory: destination)
        case "tar": self = .tar(path: destination)
        case let other:
            throw ClientError(.invalidArgument, "--output \(text): unknown type \"\(other)\"; use oci, docker, local, tar, image or registry")
        }
    }
}
