import Foundation
import HoistBackend
import HoistOCI
import HoistStore

extension NativeBackend {
    /// The store's images (one per name, dangling ones once) that meet every filter, as
    /// `docker images --filter` lists them: ``images(filters:)`` on the native backend.
    ///
    /// - Parameter filters: `key=value` conditions: `dangling=true|false`, `label=<key>` /
    ///   `label=<key>=<value>`, `label!=<key>[=<value>]`, `reference=<pattern>` (a glob on
    ///   `name:tag` or `name`; one of several must match), `before=<image>` / `since=<image>`
    ///   (created before or after that image), `until=<time>` (created at or before it).
    /// - Throws: ``ClientError`` `invalidArgument` for an unknown key or a bad value,
    ///   `notFound` for a `before`/`since` image that does not exist.
    func storeImages(filters: [String] = []) throws -> [ImageSummary] {
        let filter = try ImageFilter(parsing: filters, accepting: ImageFilter.listKeys) { name in
            let image = try resolve(name)
            let record = try store.images(target: try image.target.digest).first
            return image.config.createdDate ?? record?.created ?? Date()
        }
        // Facts first kept here: the first listing after an image arrives reads its blobs once.
        var learned: [Digest: ImageFacts] = [:]
        let summaries = try store.imagesWithFacts().compactMap { record, kept -> ImageSummary? in
            let target = try record.target.digest
            let facts: ImageFacts
            if let kept {
                facts = kept
            } else if let known = learned[target] {
                facts = known
            } else {
                let image = try LocalImage(record: record, store: store)
                facts = ImageFacts(
                    configDigest: image.configDigest, created: image.config.createdDate, size: image.size,
                    labels: image.config.config?.labels ?? [:])
                learned[target] = facts
            }
            let reference = try record.name.map { try Reference(parsing: $0) }
            let created = facts.created ?? record.created
            let candidate = ImageFilter.Candidate(names: reference.map { [$0] } ?? [], labels: facts.labels, created: created)
            guard filter.matches(candidate) else { return nil }
            return ImageSummary(reference: reference, id: facts.configDigest, digest: target, created: created, size: facts.size)
        }
        // A store this user may only read still lists.
        try? store.keepFacts(learned)
        return summaries
    }
}
