public import Foundation

/// The labels an assemble script asks for in `/tmp/.s2i/image_metadata.json`:
/// `{"labels": [{"name": "value"}, …]}`, which S2I puts on the output image over every other.
enum S2IImageMetadata {
    /// The most bytes of label names and values S2I lets an image have.
    static let maximumLabelSize = 10240

    /// The labels in `data`.
    ///
    /// - Throws: ``S2IError`` `invalidArgument` when the file is not of that shape, as S2I
    ///   fails the build then.
    static func labels(in data: Data, path: String) throws -> [String: String] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw S2IError(.invalidArgument, "\(path) written by assemble is not JSON", underlying: error)
        }
        guard let root = object as? [String: Any] else {
            throw S2IError(.invalidArgument, "\(path) written by assemble is not a JSON object with \"labels\"")
        }
        guard let entries = root["labels"] else { return [:] }
        guard let list = entries as? [[String: Any]] else {
            throw S2IError(.invalidArgument, "\(path): \"labels\" must be a list of {\"name\": \"value\"} objects")
        }
        var labels: [String: String] = [:]
        for entry in list {
            for (name, value) in entry {
                guard let text = value as? String else {
                    throw S2IError(.invalidArgument, "\(path): the label \(name) is not a string")
                }
                labels[name] = text
            }
        }
        return labels
    }

    /// Refuses labels whose names and values add up to more than S2I allows.
    static func checkSize(_ labels: [String: String]) throws {
        let size = labels.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        guard size <= maximumLabelSize else {
            throw S2IError(.invalidArgument, "label size '\(size)' exceeds the maximum limit '\(maximumLabelSize)'")
        }
    }
}
