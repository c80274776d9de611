public import Foundation
public import HoistOCI
import GRDB

/// What an image listing shows of an image besides its name — its config's digest, creation
/// time, size and labels — kept in the metadata database by target digest, so that listing
/// reads no blobs. A target's content never changes, so its facts never go stale; garbage
/// collection drops those of targets no name points at.
public struct ImageFacts: Sendable, Hashable {
    public let configDigest: Digest
    /// The config's `created`, when it has one.
    public let created: Date?
    /// The manifest's size and its config's and layers' sizes.
    public let size: Int64
    public let labels: [String: String]

    public init(configDigest: Digest, created: Date?, size: Int64, labels: [String: String]) {
        self.configDigest = configDigest
        self.created = created
        self.size = size
        self.labels = labels
    }
}

extension Store {
    /// Every named image (as ``images()`` orders them) with its facts when they are kept.
    public func imagesWithFacts() throws -> [(record: ImageRecord, facts: ImageFacts?)] {
        try database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT image.*, image_facts.config AS factsConfig, image_facts.created AS factsCreated,
                       image_facts.size AS factsSize, image_facts.labels AS factsLabels
                FROM image LEFT JOIN image_facts ON image_facts.target = image.digest
                ORDER BY image.name IS NULL, image.name
                """)
            return try rows.map { row in
                let record = try ImageRecord(try ImageRow(row: row))
                guard let config: String = row["factsConfig"], let size: Int64 = row["factsSize"] else { return (record, nil) }
                return (record, try Self.facts(config: config, created: row["factsCreated"], size: size, labels: row["factsLabels"] ?? "{}"))
            }
        }
    }

    /// The facts kept for the image whose manifest or index is `target`, if any.
    public func facts(of target: Digest) throws -> ImageFacts? {
        try database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM image_facts WHERE target = ?", arguments: [target.description]) else {
                return nil
            }
            return try Self.facts(config: row["config"], created: row["created"], size: row["size"], labels: row["labels"])
        }
    }

    private static func facts(config: String, created: Double?, size: Int64, labels: String) throws -> ImageFacts {
        let labels = (try? JSONDecoder().decode([String: String].self, from: Data(labels.utf8))) ?? [:]
        return ImageFacts(
            configDigest: try Digest(parsing: config), created: created.map { Date(timeIntervalSinceReferenceDate: $0) },
            size: size, labels: labels)
    }

    /// Keeps `facts` for the images whose manifest or index has the digest they are keyed by.
    public func keepFacts(_ facts: [Digest: ImageFacts]) throws {
        guard !facts.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try database.write { db in
            for (target, fact) in facts {
                let labels = String(decoding: try encoder.encode(fact.labels), as: UTF8.self)
                try db.execute(
                    sql: "INSERT OR REPLACE INTO image_facts (target, config, created, size, labels) VALUES (?, ?, ?, ?, ?)",
                    arguments: [target.description, fact.configDigest.description, fact.created?.timeIntervalSinceReferenceDate, fact.size, labels])
            }
        }
    }
}

enum ImageFactsRow {
    static func createTable(_ db: Database) throws {
        try db.create(table: "image_facts") { t in
            t.column("target", .text).primaryKey()
            t.column("config", .text).notNull()
            // Seconds since 2001 as `Date` keeps them: read back, the same instant to the bit.
            t.column("created", .double)
            t.column("size", .integer).notNull()
            t.column("labels", .text).notNull()
        }
    }
}
