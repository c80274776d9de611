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
    public static let sourceContextDirectory = "io.openshift.s2i.build.source-context-dir"
    public static let commitAuthor = "io.openshift.s2i.build.commit.author"
    public static let commitDate = "io.openshift.s2i.build.commit.date"
    public static let commitID = "io.openshift.s2i.build.commit.id"
    public static let commitRef = "io.openshift.s2i.build.commit.ref"
    public static let commitMessage = "io.openshift.s2i.build.commit.message"
    public static let displayName = "io.k8s.display-name"
    public static let description = "io.k8s.description"
    /// Where scripts are in a builder that says nothing (`--image-scripts-url`'s default).
    public static let defaultImageScriptsURL = "image:///usr/libexec/s2i"
    /// The artifacts a runtime image takes from the builder, `SOURCE[:DESTINATION]` joined by `;`.
    public static let assembleInputFiles = "io.openshift.s2i.assemble-input-files"
    /// What an assemble script may write to add labels to the output image.
    public static let imageMetadataFile = ".s2i/image_metadata.json"
}
