public import HoistOCI

extension ContainerSettings {
    /// The settings `docker run IMAGE [COMMAND…]` starts with: the image's entrypoint (or
    /// `entrypoint` when given, `[]` clearing it) followed by `command` — or, when no command
    /// is given, by the image's `Cmd`, unless the entrypoint was overridden (Docker drops the
    /// image's Cmd then). Env, user and working directory come from the image; `environment`
    /// entries are added after the image's and win over them.
    public init(image: ContainerConfig?, entrypoint: [String]? = nil, command: [String] = [], environment: [String] = []) {
        let effectiveEntrypoint = entrypoint ?? image?.entrypoint ?? []
        let effectiveCommand = !command.isEmpty ? command : (entrypoint == nil ? image?.cmd ?? [] : [])
        var merged: [String] = []
        var positions: [String: Int] = [:]
        for entry in (image?.env ?? []) + environment {
            let name = String(entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            if let index = positions[name] {
                merged[index] = entry
            } else {
                positions[name] = merged.count
                merged.append(entry)
            }
        }
        let workingDirectory = image?.workingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        self.init(
            arguments: effectiveEntrypoint + effectiveCommand, environment: merged, workingDirectory: workingDirectory,
            user: image?.user)
    }
}
