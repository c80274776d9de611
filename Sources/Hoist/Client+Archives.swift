public import Foundation
import HoistOCI
import HoistStore

extension Client {
    /// Loads a Docker archive (`docker save`) or an OCI-layout tar, plain or compressed, and
    /// names its images as the archive does. Returns what was loaded.
    public func load(archive: URL) throws -> [ImageSummary] {
        try storeImages.load(archive: archive)
    }
}
