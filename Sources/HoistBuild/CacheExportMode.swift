/// Which records a cache export keeps (`--cache-to …,mode=`), as BuildKit's modes mean them.
public enum CacheExportMode: String, Sendable, Hashable, CaseIterable {
    /// The steps of the final image only: records whose layers are the image's bottom layers.
    case min
    /// Every step the build solved, every stage's, used by the image or not.
    case max
}
