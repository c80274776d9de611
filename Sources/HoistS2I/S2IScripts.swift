public import Foundation
public import HoistOCI

/// Where S2I's scripts were found for an image, searched as S2I searches: each script in the
/// first place that has it.
public struct S2IScripts: Sendable, Hashable {
    /// Where one script is.
    public enum Location: Sendable, Hashable {
        /// In the image, at this path.
        case image(String)
        /// Brought into the build from outside the image (a file, the source's `.s2i/bin`, a
        /// download): a copy of it is in the scripts directory.
        case uploaded
    }

    /// Where each script found is.
    public var locations: [String: Location]
    /// The places looked in, for messages.
    public var searched: [String]

    /// Whether any script is brought in from outside the image.
    public var hasUploads: Bool { locations.values.contains(.uploaded) }

    /// The script's path in the image being built: in the image, or under `uploadDirectory`
    /// where uploaded scripts are copied.
    public func path(of name: String, uploadDirectory: String) -> String? {
        switch locations[name] {
        case .image(let path)?: path
        case .uploaded?: uploadDirectory + "/" + name
        case nil: nil
        }
    }
}

/// One place to look for scripts: a scripts URL and what it is, for messages.
struct S2IScriptPlace: Sendable {
    let what: String
    let url: String
    /// Whether this is `--scripts-url`, of which S2I demands at least one script.
    var isScriptsURL = false
}

/// Searches scripts in an image's places and copies those from outside it into a directory.
struct S2IScriptSearch: Sendable {
    let host: any S2IHost
    let http: S2IHTTP
    /// The image `image://` places refer to.
    let image: String

    /// The scripts S2I looks for in a builder image, in the order it looks: `--scripts-url`,
    /// the source's `.s2i/bin` (or the old `.sti/bin`), the image's label (or its old label, or
    /// `STI_SCRIPTS_URL`), then `--image-scripts-url`.
    static func builderPlaces(_ request: S2IRequest, application: URL, config: ImageConfig) -> [S2IScriptPlace] {
        var places: [S2IScriptPlace] = []
        if let url = request.scriptsURL, !url.isEmpty { places.append(S2IScriptPlace(what: "--scripts-url", url: url, isScriptsURL: true)) }
        places.append(sourcePlace(application))
        if let url = scriptsURL(of: config) { places.append(S2IScriptPlace(what: "the image's \(S2ILabels.scriptsURL)", url: url)) }
        places.append(S2IScriptPlace(what: "--image-scripts-url", url: request.imageScriptsURL))
        return places
    }

    /// The source's `.s2i/bin`, or `.sti/bin` in old sources that have only that.
    static func sourcePlace(_ application: URL) -> S2IScriptPlace {
        let bin = application.appendingPathComponent(".s2i/bin")
        let old = application.appendingPathComponent(".sti/bin")
        let useOld = !FileManager.default.fileExists(atPath: bin.path) && FileManager.default.fileExists(atPath: old.path)
        return S2IScriptPlace(what: useOld ? "the source's .sti/bin" : "the source's .s2i/bin", url: (useOld ? old : bin).absoluteString)
    }

    /// An image's scripts URL: `io.openshift.s2i.scripts-url`, then `io.s2i.scripts-url`, then
    /// `STI_SCRIPTS_URL` in its environment.
    static func scriptsURL(of config: ImageConfig) -> String? {
        let labels = config.config?.labels ?? [:]
        for name in [S2ILabels.scriptsURL, S2ILabels.deprecatedScriptsURL] {
            if let value = labels[name], !value.isEmpty { return value }
        }
        return S2IPlanner.environmentValue(S2ILabels.deprecatedScriptsURLEnvironment, in: config)
    }

    /// Looks for each of `names` in `places`; scripts from outside the image are copied into
    /// `directory` (created), executable.
    ///
    /// - Throws: ``S2IError`` `notFound` when `--scripts-url` is given and has none of the
    ///   scripts, as S2I refuses it; `invalidArgument` for a URL of another kind.
    func find(_ names: [String], in places: [S2IScriptPlace], into directory: URL) async throws -> S2IScripts {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var locations: [String: S2IScripts.Location] = [:]
        var fromScriptsURL = false
        for name in names {
            for place in places {
                if let found = try await locate(name, in: place.url, into: directory) {
                    locations[name] = found
                    fromScriptsURL = fromScriptsURL || place.isScriptsURL
                    break
                }
            }
        }
        if let scriptsURL = places.first(where: \.isScriptsURL), !fromScriptsURL {
            throw S2IError(.notFound, "could not download any scripts from URL \(scriptsURL.url)")
        }
        return S2IScripts(locations: locations, searched: places.map { "\($0.what) (\($0.url))" })
    }

    /// Finds script `name` under the scripts URL `url`.
    private func locate(_ name: String, in url: String, into directory: URL) async throws -> S2IScripts.Location? {
        let target = directory.appendingPathComponent(name)
        if url.hasPrefix("image://") {
            let path = Self.imagePath(url) + "/" + name
            guard case .regular = try await host.file(path, in: image) else { return nil }
            return .image(path)
        }
        let contents: Data
        if url.hasPrefix("file://") || url.hasPrefix("/") {
            let base = url.hasPrefix("file://") ? URL(string: url)?.path ?? String(url.dropFirst(7)) : url
            guard let data = FileManager.default.contents(atPath: URL(fileURLWithPath: base).appendingPathComponent(name).path) else {
                return nil
            }
            contents = data
        } else if url.hasPrefix("http://") || url.hasPrefix("https://"), let base = URL(string: url) {
            guard let data = try await http.download(base.appendingPathComponent(name)) else { return nil }
            contents = data
        } else {
            throw S2IError(.invalidArgument, "unsupported scripts URL \(url): use image://, file:// or http(s)://")
        }
        // The first place that has a script wins; a later search (runtime scripts) keeps it.
        if !FileManager.default.fileExists(atPath: target.path) {
            try contents.write(to: target)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
        }
        return .uploaded
    }

    /// The path of an `image://` URL, without a trailing slash.
    static func imagePath(_ url: String) -> String {
        var path = url.hasPrefix("image://") ? String(url.dropFirst(8)) : url
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
