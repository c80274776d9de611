/// The version of Hoist, as `hoist --version` prints it.
public enum HoistVersion {
    public static let current = "0.1.0-dev"
}
