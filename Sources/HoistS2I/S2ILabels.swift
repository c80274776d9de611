/// The labels and environment names S2I reads from builder images.
public enum S2ILabels {
    public static let scriptsURL = "io.openshift.s2i.scripts-url"
    public static let destination = "io.openshift.s2i.destination"
    public static let assembleUser = "io.openshift.s2i.assemble-user"
    public static let deprecatedScriptsURLEnvironment = "STI_SCRIPTS_URL"
    public static let deprecatedDestinationEnvironment = "STI_LOCATION"
    /// Written into the output image.
    public static let buildImage = "io.openshift.s2i.build.image"
    public static let sourceLocation = "io.openshift.s2i.build.source-location"
    public static let imageScriptsURL = "io.openshift.s2i.scripts-url"
    public static let buildCommitRef = "io.openshift.s2i.build.commit.ref"
    public static let buildCommitID = "io.openshift.s2i.build.commit.id"
    /// The artifacts a runtime image takes from the builder, `SOURCE[:DESTINATION]` joined by `;`.
    public static let assembleInputFiles = "io.openshift.s2i.assemble-input-files"
    /// What an assemble script may write to add labels to the output image.
    public static let imageMetadataFile = ".s2i/image_metadata.json"
}
