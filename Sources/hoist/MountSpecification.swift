import ArgumentParser
import Foundation
import HoistRuntime

/// `-v HOST:CONTAINER[:OPTIONS]` and `-v VOLUME:CONTAINER[:OPTIONS]` as docker run reads them:
/// options `ro`, `rw`, and SELinux's `z`/`Z`, which relabel nothing here (a note says so: Hoist
/// sets no SELinux labels). `-v /PATH` alone is an anonymous volume (an empty host part).
enum VolumeSpecification {
    static func parse(_ specification: String) throws -> (host: String, container: String, readOnly: Bool) {
        let parts = specification.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            guard specification.hasPrefix("/") else {
                throw ValidationError("-v \(specification): an anonymous volume needs an absolute container path")
            }
            return ("", specification, false)
        }
        guard (2...3).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("-v \(specification): expected HOST:CONTAINER[:ro|rw|z|Z]")
        }
        let options = parts.count == 3 ? parts[2].split(separator: ",").map(String.init) : []
        for option in options where !["ro", "rw", "z", "Z"].contains(option) {
            throw ValidationError("-v \(specification): unknown option \(option) (ro, rw, z or Z)")
        }
        guard !(options.contains("ro") && options.contains("rw")) else {
            throw ValidationError("-v \(specification): ro and rw together")
        }
        if options.contains("z") || options.contains("Z") {
            let state = FileManager.default.fileExists(atPath: "/sys/fs/selinux/enforce") ? "on" : "off"
            FileHandle.standardError.write(Data(
                "hoist: note: -v \(specification): z/Z relabel nothing: Hoist sets no SELinux labels (SELinux is \(state) on this host)\n".utf8))
        }
        return (parts[0], parts[1], options.contains("ro"))
    }
}

/// `--tmpfs PATH[:OPTIONS]` and `--mount type=bind|tmpfs,…` as docker run reads them.
enum MountSpecification {
    static func tmpfs(_ specification: String) throws -> ContainerMount {
        let parts = specification.split(separator: ":", maxSplits: 1).map(String.init)
        guard let path = parts.first, path.hasPrefix("/") else {
            throw ValidationError("--tmpfs \(specification): the mount point must be an absolute path")
        }
        return .tmpfsWithOptions(destination: path, options: parts.count == 2 ? parts[1].split(separator: ",").map(String.init) : [])
    }

    /// A bind or tmpfs mount, or a named volume as `-v` gives it.
    enum Parsed {
        case mount(ContainerMount)
        case volume((host: String, container: String, readOnly: Bool))
    }

    static func parse(_ specification: String) throws -> Parsed {
        var fields: [String: String] = [:]
        var flags: Set<String> = []
        for field in specification.split(separator: ",").map(String.init) {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            let key = pair[0].lowercased()
            if pair.count == 1 { flags.insert(key) } else { fields[key] = pair[1] }
        }
        func value(_ names: String...) -> String? { names.lazy.compactMap { fields[$0] }.first }
        let readOnly = flags.contains("readonly") || flags.contains("ro") || ["true", "1"].contains(value("readonly", "ro") ?? "")
        guard let target = value("target", "destination", "dst") else {
            throw ValidationError("--mount \(specification): target is required")
        }
        guard target.hasPrefix("/") else { throw ValidationError("--mount \(specification): target must be an absolute path") }
        switch value("type") ?? "volume" {
        case "bind":
            guard let source = value("source", "src") else { throw ValidationError("--mount \(specification): source is required for a bind mount") }
            guard FileManager.default.fileExists(atPath: source) else {
                throw ValidationError("--mount \(specification): bind source path does not exist: \(source)")
            }
            return .mount(.bind(source: source, destination: target, readOnly: readOnly))
        case "tmpfs":
            guard value("source", "src") == nil else { throw ValidationError("--mount \(specification): a tmpfs mount takes no source") }
            var options: [String] = []
            if let size = value("tmpfs-size") { options.append("size=\(try ContainerOptions.bytes(size, option: "--mount tmpfs-size"))") }
            if let mode = value("tmpfs-mode") {
                guard UInt32(mode, radix: 8) != nil else { throw ValidationError("--mount \(specification): tmpfs-mode \(mode) is not octal") }
                options.append("mode=\(mode)")
            }
            if readOnly { options.append("ro") }
            return .mount(.tmpfsWithOptions(destination: target, options: options))
        case "volume":
            // No source: an anonymous volume.
            return .volume((value("source", "src") ?? "", target, readOnly))
        case let type:
            throw ValidationError("--mount \(specification): type \(type) is not supported (bind, volume or tmpfs)")
        }
    }
}
