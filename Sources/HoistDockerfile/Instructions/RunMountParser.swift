/// Reads `--mount` values: CSV fields of `key=value`, checked per mount type as BuildKit does.
enum RunMountParser {
    static let keys = [
        "type", "from", "source", "target", "readonly", "id", "sharing", "required", "mode", "uid", "gid", "src",
        "dst", "ro", "rw", "readwrite", "destination", "size", "env",
    ]

    /// The checks BuildKit makes before variables are known: bare keys must be flags, and
    /// `from` must not use variables.
    static func validateUnexpanded(_ specification: String) throws(InstructionFailure) {
        let fields: [String]
        do { fields = try CSVFields.split(specification) } catch {
            throw InstructionFailure("failed to parse csv mounts: \(error.message)")
        }
        for field in fields {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].lowercased()
            if parts.count == 1 {
                guard ["readonly", "ro", "readwrite", "rw", "required"].contains(key) else {
                    throw InstructionFailure("invalid field '\(field)' must be a key=value pair")
                }
            } else if key == "from", parts[1].unicodeScalars.dropLast().contains("$") {
                throw InstructionFailure("'from' doesn't support variable expansion, define alias stage instead")
            }
        }
    }

    static func parse(_ specification: String, expand: (String) throws -> String) throws -> RunMount {
        func fail(_ message: String) -> RunMountError { RunMountError(message: message) }
        let fields: [String]
        do { fields = try CSVFields.split(specification) } catch {
            throw fail("failed to parse csv mounts: \(error.message)")
        }
        var type = "bind"
        var target = ""
        var source = ""
        var from: String?
        var id: String?
        var env: String?
        var readOnly: Bool?
        var required = false
        var sharing: CacheSharing?
        var mode: UInt32?
        var uid: UInt32?
        var gid: UInt32?
        var size: Int64?
        func boolean(_ key: String, _ value: String) throws -> Bool {
            switch value.lowercased() {
            case "1", "t", "true": return true
            case "0", "f", "false": return false
            default: throw fail("invalid value for \(key): \(value)")
            }
        }
        for field in fields {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].lowercased()
            guard parts.count == 2 else {
                switch key {
                case "readonly", "ro": readOnly = true
                case "readwrite", "rw": readOnly = false
                case "required" where type == "secret" || type == "ssh": required = true
                case "required": throw fail("unexpected key '\(key)' for mount type '\(type)'")
                default: throw fail("invalid field '\(field)' must be a key=value pair")
                }
                continue
            }
            let value = try expand(String(parts[1]))
            switch key {
            case "type":
                let lowered = value.lowercased()
                guard ["bind", "cache", "tmpfs", "secret", "ssh"].contains(lowered) else {
                    let hint = suggestion(for: value, among: ["bind", "cache", "tmpfs", "secret", "ssh"])
                    throw fail("unsupported mount type \"\(value)\"" + (hint.map { " (did you mean \($0)?)" } ?? ""))
                }
                type = lowered
            case "from": from = value
            case "source", "src": source = value
            case "target", "dst", "destination": target = value
            case "readonly", "ro": readOnly = try boolean(key, value)
            case "readwrite", "rw": readOnly = try !boolean(key, value)
            case "required":
                guard type == "secret" || type == "ssh" else {
                    throw fail("unexpected key '\(key)' for mount type '\(type)'")
                }
                required = try boolean(key, value)
            case "size":
                guard type == "tmpfs" else { throw fail("unexpected key '\(key)' for mount type '\(type)'") }
                guard let bytes = RAMSize.bytes(value) else { throw fail("invalid value for \(key): \(value)") }
                size = bytes
            case "id": id = value
            case "env":
                guard type == "secret" else { throw fail("unexpected key '\(key)' for mount type '\(type)'") }
                env = value
            case "sharing":
                guard let mode = CacheSharing(rawValue: value.lowercased()) else {
                    throw fail("unsupported sharing value \"\(value)\"")
                }
                sharing = mode
            case "mode":
                guard let parsed = UInt32(value, radix: 8) else { throw fail("invalid value \(value) for mode") }
                mode = parsed
            case "uid":
                guard let parsed = UInt32(value) else { throw fail("invalid value \(value) for uid") }
                uid = parsed
            case "gid":
                guard let parsed = UInt32(value) else { throw fail("invalid value \(value) for gid") }
                gid = parsed
            default:
                let hint = suggestion(for: key, among: keys).map { " (did you mean \($0)?)" } ?? ""
                throw fail("unexpected key '\(key)' in '\(field)'\(hint)")
            }
        }
        if !["secret", "ssh", "cache"].contains(type) {
            if mode != nil { throw fail("mode not allowed for \"\(type)\" type mounts") }
            if uid != nil { throw fail("uid not allowed for \"\(type)\" type mounts") }
            if gid != nil { throw fail("gid not allowed for \"\(type)\" type mounts") }
        }
        if sharing != nil, type != "cache" { throw fail("invalid cache sharing set for \(type) mount") }
        switch type {
        case "cache":
            return .cache(
                .init(
                    target: target, id: id.flatMap { $0.isEmpty ? nil : $0 }, sharing: sharing ?? .shared, from: from,
                    source: source, readOnly: readOnly ?? false, mode: mode, uid: uid, gid: gid))
        case "tmpfs":
            return .tmpfs(.init(target: target, size: size))
        case "secret":
            if from != nil { throw fail("secret mount should not have a from") }
            if source.isEmpty, target.isEmpty, id?.isEmpty ?? true, env == nil {
                throw fail("invalid secret mount. one of source, target required")
            }
            if !source.isEmpty, !(id?.isEmpty ?? true) { throw fail("both source and id can't be set") }
            return .secret(
                .init(
                    id: id, target: target.isEmpty ? nil : target, environmentVariable: env,
                    source: source.isEmpty ? nil : source, required: required, mode: mode, uid: uid, gid: gid))
        case "ssh":
            return .ssh(
                .init(
                    id: id, target: target.isEmpty ? nil : target, required: required, mode: mode, uid: uid,
                    gid: gid))
        default:
            return .bind(.init(target: target, source: source, from: from, readOnly: readOnly ?? true))
        }
    }
}
