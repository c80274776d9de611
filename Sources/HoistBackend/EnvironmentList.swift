/// `NAME=value` lists as containers take them.
package enum EnvironmentList {
    /// `base` with `extra`'s variables replacing those of the same name (`-e`, `docker exec -e`).
    package static func overriding(_ base: [String], with extra: [String]) -> [String] {
        var environment = base
        for entry in extra {
            let name = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            environment.removeAll { $0.split(separator: "=", maxSplits: 1).first.map(String.init) == name }
            environment.append(entry)
        }
        return environment
    }
}
