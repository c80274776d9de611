/// The `oci-layout` file at the root of an OCI image layout directory.
public struct ImageLayout: Hashable, Sendable, Codable {
    /// The layout version; `1.0.0` is the only one defined.
    public var imageLayoutVersion: String

    /// The version Hoist writes.
    public static let currentVersion = "1.0.0"

    /// A header for `imageLayoutVersion` (the current version unless told).
    public init(imageLayoutVersion: String = ImageLayout.currentVersion) {
        self.imageLayoutVersion = imageLayoutVersion
    }

    /// The file name of the header inside a layout directory.
    public static let fileName = "oci-layout"

    /// Checks that the version is one Hoist understands.
    ///
    /// - Throws: ``OCIError`` (`unsupported`) for any other version.
    public func validate() throws(OCIError) {
        guard imageLayoutVersion == Self.currentVersion else {
            throw OCIError(
                .unsupported,
                "oci-layout imageLayoutVersion \"\(imageLayoutVersion)\" is not supported; expected \"\(Self.currentVersion)\"")
        }
    }
}
