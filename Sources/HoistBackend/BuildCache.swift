public import HoistArchive
public import HoistBuild
public import HoistOCI
public import HoistRegistry

/// Where a build cache is kept away from the store, as `--cache-to` and `--cache-from` name it.
public enum CacheLocation: Sendable, Hashable {
    /// An OCI image layout directory (`type=local,dest=DIR` / `type=local,src=DIR`).
    case local(directory: String)
    /// A manifest in a registry (`type=registry,ref=NAME[:TAG|@DIGEST]`).
    case registry(Reference)
    /// The built image's own config (`--cache-to type=inline`), read back through the image's
    /// reference (`--cache-from type=registry,ref=IMAGE`), as BuildKit does.
    case inline

    /// The storage that reads and writes a cache there, a registry with `configuration`; nil
    /// for `inline`, which the image carries.
    public func storage(registry configuration: RegistryConfiguration) -> (any CacheStorage)? {
        switch self {
        case .local(let directory): LayoutCacheStorage(directory: directory)
        case .registry(let reference): RegistryCacheStorage(reference: reference, configuration: configuration)
        case .inline: nil
        }
    }
}

/// `--cache-to`: where a build writes its cache, and which records.
public struct CacheExport: Sendable, Hashable {
    public var location: CacheLocation
    /// `mode=min` (the default, as BuildKit's) or `mode=max`.
    public var mode: CacheExportMode
    /// `mounts=true`: the contents of the build's cache mounts (`RUN --mount=type=cache`) go
    /// too, each as a layer, restored by `--cache-from` before the first step that mounts it.
    public var includesMounts: Bool
    /// `compression=uncompressed|gzip|zstd[,compression-level=N]`: how the cache mounts' layers
    /// are compressed. The image's layers stay the image's own blobs, stored once for both.
    public var compression: Compression

    public init(location: CacheLocation, mode: CacheExportMode = .min, includesMounts: Bool = false, compression: Compression = .none) {
        self.location = location
        self.mode = mode
        self.includesMounts = includesMounts
        self.compression = compression
    }

    /// Parses BuildKit's syntax: `type=local,dest=DIR[,mode=min|max]`, `type=registry,ref=NAME`,
    /// `type=inline` (always `mode=min`: only the image's own steps fit in its config);
    /// `mounts=true` exports the cache mounts' contents too, `compression=` compresses them.
    ///
    /// - Throws: ``ClientError`` (`invalidArgument`) saying what is wrong.
    public init(parsing text: String) throws {
        let fields = try AttributeList(parsing: text, option: "--cache-to")
        let modeText = fields["mode"] ?? CacheExportMode.min.rawValue
        guard let mode = CacheExportMode(rawValue: modeText) else {
            throw ClientError(.invalidArgument, "--cache-to \(text): mode=\(modeText); use min or max")
        }
        let location = try CacheLocation(fields, directoryKey: "dest", option: "--cache-to", text: text)
        if location == .inline, mode == .max {
            throw ClientError(.invalidArgument, "--cache-to \(text): type=inline keeps the image's own steps only (mode=min); use type=registry or type=local for mode=max")
        }
        let mounts = fields["mounts"] ?? "false"
        guard mounts == "true" || mounts == "false" else {
            throw ClientError(.invalidArgument, "--cache-to \(text): mounts=\(mounts); use true or false")
        }
        if location == .inline, mounts == "true" {
            throw ClientError(.invalidArgument, "--cache-to \(text): an image's config cannot hold cache mounts; use type=registry or type=local with mounts=true")
        }
        self.init(
            location: location, mode: mode, includesMounts: mounts == "true",
            compression: try Self.compression(fields["compression"], level: fields["compression-level"], text: text))
    }
}

extension CacheExport {
    /// BuildKit's `compression=` and `compression-level=` (gzip 1…9, zstd 1…22).
    private static func compression(_ name: String?, level: String?, text: String) throws -> Compression {
        let number: Int32?
        if let level {
            guard let value = Int32(level) else {
                throw ClientError(.invalidArgument, "--cache-to \(text): compression-level=\(level) is not a number")
            }
            number = value
        } else {
            number = nil
        }
        switch (name ?? "uncompressed", number) {
        case ("uncompressed", nil): return .none
        case ("gzip", let level):
            guard (1...9).contains(level ?? 6) else {
                throw ClientError(.invalidArgument, "--cache-to \(text): gzip's compression-level is 1 to 9")
            }
            return .gzip(level: level ?? 6)
        case ("zstd", let level):
            guard (1...22).contains(level ?? 3) else {
                throw ClientError(.invalidArgument, "--cache-to \(text): zstd's compression-level is 1 to 22")
            }
            return .zstd(level: level ?? 3)
        case ("uncompressed", _?):
            throw ClientError(.invalidArgument, "--cache-to \(text): compression-level needs compression=gzip or zstd")
        case (let other, _):
            throw ClientError(.invalidArgument, "--cache-to \(text): compression=\(other); use uncompressed, gzip or zstd")
        }
    }
}

/// `--cache-from`: a cache a build may take step results from.
public struct CacheImport: Sendable, Hashable {
    public var location: CacheLocation

    public init(location: CacheLocation) {
        self.location = location
    }

    /// Parses BuildKit's syntax: `type=local,src=DIR`, `type=registry,ref=NAME` (a cache, or an
    /// image built with `--cache-to type=inline`).
    ///
    /// - Throws: ``ClientError`` (`invalidArgument`) saying what is wrong.
    public init(parsing text: String) throws {
        let fields = try AttributeList(parsing: text, option: "--cache-from")
        let location = try CacheLocation(fields, directoryKey: "src", option: "--cache-from", text: text)
        if location == .inline {
            throw ClientError(.invalidArgument, "--cache-from \(text): an inline cache is read from its image: use type=registry,ref=IMAGE")
        }
        self.init(location: location)
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
        case "inline"?:
            self = .inline
        case nil:
            throw ClientError(.invalidArgument, "\(option) \(text): type= is required; use type=local, type=registry or type=inline")
        case let other?:
            throw ClientError(.invalidArgument, "\(option) \(text): type=\(other) is not supported; use type=local, type=registry or type=inline")
        }
    }
}
