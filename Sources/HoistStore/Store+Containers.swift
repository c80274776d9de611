public import Foundation
import GRDB

extension Store {
    /// Records a new container; `alreadyExists` when its name is taken.
    public func addContainer(_ record: ContainerRecord) throws {
        let row = try ContainerRow(record)
        try database.write { db in
            if try ContainerRow.filter(sql: "name = ?", arguments: [record.name]).fetchCount(db) > 0 {
                throw StoreError(.alreadyExists, "the container name \"\(record.name)\" is already in use")
            }
            try row.insert(db)
        }
    }

    /// Every container, oldest first.
    public func containers() throws -> [ContainerRecord] {
        try database.read { db in
            try ContainerRow.order(sql: "created, id").fetchAll(db).map { try $0.record() }
        }
    }

    /// The container called `name`, or whose ID is or starts with `name` (as Docker finds
    /// containers); `notFound` when none is, `invalidArgument` when an ID prefix matches several.
    public func container(matching name: String) throws -> ContainerRecord {
        let rows = try database.read { db -> [ContainerRow] in
            if let named = try ContainerRow.filter(sql: "name = ?", arguments: [name]).fetchOne(db) { return [named] }
            guard !name.isEmpty, name.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return [] }
            return try ContainerRow.filter(sql: "substr(id, 1, ?) = ?", arguments: [name.utf8.count, name]).fetchAll(db)
        }
        guard let row = rows.first else { throw StoreError(.notFound, "no such container: \(name)") }
        guard rows.count == 1 else {
            throw StoreError(.invalidArgument, "container ID prefix \(name) is ambiguous: it matches \(rows.count) containers")
        }
        return try row.record()
    }

    /// Names container `id` `name`; `alreadyExists` when another container has that name,
    /// `notFound` when there is no container `id`.
    public func renameContainer(_ id: String, to name: String) throws {
        try database.write { db in
            if let holder = try ContainerRow.filter(sql: "name = ?", arguments: [name]).fetchOne(db), holder.id != id {
                throw StoreError(.alreadyExists, "the container name \"/\(name)\" is already in use by container \"\(holder.id)\"")
            }
            try db.execute(sql: "UPDATE container SET name = ? WHERE id = ?", arguments: [name, id])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "no such container: \(id)") }
        }
    }

    /// Removes the record of container `id`; returns false when there was none.
    @discardableResult
    public func removeContainerRecord(_ id: String) throws -> Bool {
        try database.write { db in
            try ContainerRow.deleteOne(db, key: id)
        }
    }

    /// The directory of container `id` (bundle, logs, exit status).
    public func containerDirectory(_ id: String) -> URL {
        root.containers.appendingPathComponent(id, isDirectory: false)
    }
}
