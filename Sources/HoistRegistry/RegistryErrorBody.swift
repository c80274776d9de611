import Foundation
import NIOCore

/// The error document of the distribution spec, `{"errors":[{"code","message","detail"}]}`,
/// and the token service's `{"details": …}`, turned into one line for a message.
enum RegistryErrorBody {
    static func summary(of body: ByteBuffer?) -> String? {
        guard let body, body.readableBytes > 0 else { return nil }
        let data = Data(buffer: body)
        struct Document: Decodable {
            struct Entry: Decodable {
                let code: String?
                let message: String?
            }
            let errors: [Entry]?
            let details: String?
        }
        if let document = try? JSONDecoder().decode(Document.self, from: data) {
            let lines = (document.errors ?? []).map { entry in
                [entry.code, entry.message].compactMap { $0 }.joined(separator: ": ")
            }.filter { !$0.isEmpty }
            if !lines.isEmpty { return lines.joined(separator: "; ") }
            if let details = document.details { return details }
        }
        let text = String(decoding: data.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || text.hasPrefix("<") ? nil : text
    }
}
