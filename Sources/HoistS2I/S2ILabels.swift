/// The labels and environment names S2I reads from builder images and writes into the images
/// it builds, with S2I's own spellings.
public enum S2ILabels {
    // MARK: Read from builder and runtime images

    public static let scriptsURL = "io.openshift.s2i.scripts-url"
    /// The old name of ``scriptsURL``, still read (after it).
    public static let deprecatedScriptsURL = "io.s2i.scripts-url"
    public static let destination = "io.openshift.s2i.destination"
    /// The old name of ``destination``, still read (after it).
    public static let deprecatedDestination = "io.s2i.destination"
    public static let assembleUser = "io.openshift.s2i.assemble-user"
    /// The user a runtime image's `assemble-runtime` script runs as.
    public static let assembleRuntimeUser = "io.openshift.s2i.assemble-runtime-user"
    /// The artifacts a runtime image takes from the builder, `SOURCE[:DESTINATION]` joined by `;`.
    public static let assembleInputFiles = "io.openshift.s2i.assemble-input-files"
    /// The environment variable that names the scripts URL in old builders (after the labels).
    public static let deprecatedScriptsURLEnvironment = "STI_SCRIPTS_URL"
    /// The environment variable that names the destination in old builders (after the labels).
    public static let deprecatedDestinationEnvironment = "STI_LOCATION"

    // MARK: Written into the output image

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

    // MARK: Places

    /// Where scripts are in a builder that says nothing (`--image-scripts-url`'s default).
    public static let defaultImageScriptsURL = "image:///usr/libexec/s2i"
    /// Where scripts, source and artifacts go when the builder says nothing.
    public static let defaultDestination = "/tmp"
    /// Where an assemble script writes labels for the output image, as S2I documents it.
    public static let imageMetadataPath = "/tmp/.s2i/image_metadata.json"
    /// The same file under a builder's own destination (`io.openshift.s2i.destination`,
    /// `STI_LOCATION`), which Hoist also reads.
    public static let imageMetadataFile = ".s2i/image_metadata.json"
}
