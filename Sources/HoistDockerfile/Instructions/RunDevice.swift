/// A `RUN --device=…` request: a CDI device (`vendor.com/class=name`) or a device path.
public struct RunDevice: Sendable, Hashable {
    /// The device name as given.
    public var name: String
    /// Whether the build fails when the device is not available (default false).
    public var required: Bool

    /// Creates a device request.
    public init(name: String, required: Bool = false) {
        self.name = name
        self.required = required
    }

    /// Parses one `--device` value: the name first (bare, or `name=`), then `required` or
    /// `required=bool`; CSV quoting applies.
    /// - Throws: ``RunMountError`` (the same family of flag-value errors) for a bad field.
    public static func parse(_ specification: String) throws -> RunDevice {
        func fail(_ message: String) -> RunMountError { RunMountError(message: message) }
        let fields: [String]
        do { fields = try CSVFields.split(specification) } catch {
            throw fail("failed to parse csv devices: \(error.message)")
        }
        var device = RunDevice(name: "")
        for field in fields {
            let parts = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0].lowercased()
            guard parts.count == 2 else {
                if key == "required" {
                    device.required = true
                } else if device.name.isEmpty {
                    device.name = field
                } else {
                    throw fail("invalid field '\(field)' must be a key=value pair")
                }
                continue
            }
            let value = String(parts[1])
            switch key {
            case "name":
                guard device.name.isEmpty else { throw fail("device name already set to \(device.name)") }
                device.name = value
            case "required":
                switch value.lowercased() {
                case "1", "t", "true": device.required = true
                case "0", "f", "false": device.required = false
                default: throw fail("invalid value for \(key): \(value)")
                }
            default:
                // A CDI name such as `vendor.com/gpu=all` contains `=` itself.
                guard device.name.isEmpty else { throw fail("unexpected key '\(key)' in '\(field)'") }
                device.name = field
            }
        }
        return device
    }
}
