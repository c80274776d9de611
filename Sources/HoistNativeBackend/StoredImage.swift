import Foundation
import HoistBackend
import HoistOCI
import HoistStore

/// One image of the store with all its names: the records that share a target, opened up.
/// Removal and pruning work on these, since an image goes only with its last name.
struct StoredImage {
    /// The manifest or index the names point at.
    let target: Descriptor
    /// Its names, sorted; empty for a dangling image.
    let names: [Reference]
    let image: LocalImage
    /// When it was created (its config's date, else when it was stored).
    let created: Date

    /// Whether a container uses it: its target or the manifest it runs is among `digestsInUse`.
    func isUsed(by digestsInUse: Set<Digest>) -> Bool {
        guard !digestsInUse.isEmpty else { return false }
        return [try? target.digest, try? image.manifestDescriptor.digest].contains { $0.map(digestsInUse.contains) ?? false }
    }

    /// What image filters check.
    var filterCandidate: ImageFilter.Candidate {
        ImageFilter.Candidate(names: names, labels: image.config.config?.labels ?? [:], created: created)
    }
}

extension NativeBackend {
    /// Every image in the store, one per target, in the store's order (named before dangling).
    func storedImages() throws -> [StoredImage] {
        var order: [Digest] = []
        var records: [Digest: [ImageRecord]] = [:]
        for record in try store.images() {
            let digest = try record.target.digest
            if records[digest] == nil { order.append(digest) }
            records[digest, default: []].append(record)
        }
        return try order.compactMap { digest in
            guard let group = records[digest], let first = group.first else { return nil }
            let image = try LocalImage(record: first, store: store)
            let names = try group.compactMap(\.name).map { try Reference(parsing: $0) }.sorted { $0.description < $1.description }
            return StoredImage(target: first.target, names: names, image: image, created: image.config.createdDate ?? first.created)
        }
    }
}
