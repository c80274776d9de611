import Foundation
import GRDB
import HoistOCI

/// A row of `container`: a ``ContainerRecord`` as the metadata database holds it.
struct ContainerRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "container"
    var id: String
    var name: String
    var image: String
    var imageMediaType: String
    var imageDigest: String
    var imageSize: Int64
    var imageID: String
    var created: Double
    var snapshotKey: String
    var configuration: Data

    static func createTable(_ db: Database) throws {
        try db.create(table: databaseTableName) { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull().unique()
            t.column("image", .text).notNull()
            t.column("imageMediaType", .text).notNull()
            t.column("imageDigest", .text).notNull()
            t.column("imageSize", .integer).notNull()
            t.column("imageID", .text).notNull()
            t.column("created", .double).notNull()
            t.column("snapshotKey", .text).notNull()
            t.column("configuration", .blob).notNull()
        }
    }

    init(_ record: ContainerRecord) throws {
        id = record.id
        name = record.name
        image = record.image
        imageMediaType = record.imageTarget.mediaType.rawValue
        imageDigest = try record.imageTarget.digest.description
        imageSize = record.imageTarget.size
        imageID = record.imageID.description
        created = record.created.timeIntervalSince1970
        snapshotKey = record.snapshotKey.rawValue
        configuration = record.configuration
    }

    func record() throws -> ContainerRecord {
        ContainerRecord(
            id: id, name: name, image: image,
            imageTarget: Descriptor(mediaType: MediaType(imageMediaType), digest: try Digest(parsing: imageDigest), size: imageSize),
            imageID: try Digest(parsing: imageID), created: Date(timeIntervalSince1970: created),
            snapshotKey: try SnapshotKey(snapshotKey), configuration: configuration)
    }
}
