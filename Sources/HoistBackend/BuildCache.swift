public import HoistBuild
public import HoistOCI
public import HoistRegistry

/// Where a build cache is kept away from the store, as `--cache-to` and `--cache-from` name it.
public enum CacheLocation: Sendable, Hashable {
    /// An OCI image layout directory (`type=local,dest=DIR` / `type=local,src=DIR`).
    case local(directory: String)
    /// A manifest in a registry (`type=registry,ref=NAME[:TAG|@DIGEST]`).
    case registry(Reference)

    /// The storage that reads and writes a cache there, a registry with `configuration`.
    public func storage(registry configuration: RegistryConfiguration) -> any CacheStorage {
        switch self {
        case .local(let directory): LayoutCacheStorage(directory: directory)
        case .registry(let reference): RegistryCacheStorage(reference: reference, configuration: configuration)
        }
    }
}

/// `--cache-to`: where a build writes its cache, and which records.
public struct CacheExport: Sendable, Hashable {
    public var location: CacheLocation
    /// `mode=min` (the default, as BuildKit's) or `mode=max`.
    public var mode: CacheExportMode

    public init(location: CacheLocation, mode: CacheExportMode = .min) {
        self.location = location
        self.mode = mode
    }

    /// Parses BuildKit's syntax: `type=local,dest=DIR[,mode=min|max]`, `type=registry,ref=NAME`.
    ///
    /// - Throws: ``ClientError`` (`invalidArgument`) saying what is wrong.
    public init(parsing text: String) throws {
        let fields = try AttributeList(parsing: text, option: "--cache-to")
        let modeText = fields["mode"] ?? CacheExportMode.min.rawValue
        guard let mode = CacheExportMode(rawValue: modeText) else {
            throw ClientError(.invalidArgument, "--cache-to \(text): mode=\(modeText); use min or max")
        }
        self.init(location: try CacheLocation(fields, directoryKey: "dest", option: "--cache-to", text: text), mode: mode)
    }
}

/// `--cache-from`: a cache a build may take step results from.
public struct CacheImport: Sendable, Hashable {
    public var location: CacheLocation

    public init(location: CacheLocation) {
        self.location = location
    }

    /// Parses BuildKit's syntax: `type=local,src=DIR`, `type=registry,ref=NAME`.
    ///
    /// - Throws: ``ClientError`` (`invalidArgument`) saying what is wrong.
    public init(parsing text: String) throws {
        let fields = try AttributeList(parsing: text, option: "--cache-from")
        self.init(location: try CacheLocation(fields, directoryKey: "src", option: "--cache-from", text: text))
    }
}

extension CacheLocation {
    fileprivate init(_ fields: AttributeList, directoryKey: String, option: String, text: String) throws {
        switch fields["type"] {
        case "local"?:
            guard let directory = fields[directoryKey], !directory.isEmpty else {
                throw ClientError(.invalidArgument, "\(option) \(text): \(directoryKey)=DIR is required for type=local")
            }
            self = .local(directory: directory)
        case "registry"?:
            guard let name = fields["ref"], !name.isEmpty else {
                throw ClientError(.invalidArgument, "\(option) \(text): ref=NAME is required for type=registry")
            }
            do {
                self = .registry(try Reference(parsing: name))
            } catch {
                throw ClientError(.invalidArgument, "\(option) \(text): ref=\(name) is not an image reference: \(error)")
            }
        case nil:
            throw ClientError(.invalidArgument, "\(option) \(text): type= is required; use type=local or type=registry")
        case let other?:
            throw ClientError(.invalidArgument, "\(option) \(text): type=\(other) is not supported; use type=local or type=registry")
        }
    }
}
