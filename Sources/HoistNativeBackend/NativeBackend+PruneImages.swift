import Foundation
import HoistBackend
import HoistOCI
import HoistStore

extension NativeBackend {
    /// Removes the store's unused images, as `docker image prune` does, and returns what went:
    /// ``pruneImages(all:filters:)`` on the native backend.
    ///
    /// - Parameters:
    ///   - all: remove every image no container uses; otherwise only dangling (nameless) ones.
    ///   - filters: `key=value` conditions an image must all meet to be removed:
    ///     `until=<time>` (created at or before it: a duration back from now such as `24h` or
    ///     `1h30m`, unix seconds, or an RFC 3339 date-time), `label=<key>` / `label=<key>=<value>`
    ///     (has that label), `label!=<key>` / `label!=<key>=<value>` (has not), and
    ///     `dangling=true|false`.
    /// - Throws: ``ClientError`` `invalidArgument` for an unknown filter key or a bad value;
    ///   nothing is removed then.
    func pruneStoreImages(all: Bool = false, filters: [String] = []) throws -> PruneReport {
        let filter = try ImageFilter(parsing: filters, accepting: ImageFilter.pruneKeys)
        let digestsInUse = try imageDigestsInUse()
        var report = PruneReport()
        for image in try storedImages() {
            guard all || image.names.isEmpty, !image.isUsed(by: digestsInUse), filter.matches(image.filterCandidate) else {
                continue
            }
            for name in image.names {
                try store.removeName(name.description)
                report.removals.append(.untagged(name))
            }
            try store.removeImage(target: try image.target.digest)
            report.removals.append(.deleted(image.image.configDigest))
        }
        // Always: what failed or killed operations left, and what image removals elsewhere
        // released, is reclaimed too.
        report.reclaimedBytes = try store.collectGarbage().reclaimedBytes
        return report
    }
}
