import Foundation
import HoistOCI
import Testing

@Suite struct DigestTests {
    /// Published test vectors (FIPS 180 examples and the empty input).
    @Test(arguments: [
        ("", Digest.Algorithm.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", .sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "", .sha512,
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        ),
        (
            "abc", .sha512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        ),
    ])
    func knownVectors(input: String, algorithm: Digest.Algorithm, hex: String) {
        let digest = Digest(of: Data(input.utf8), algorithm: algorithm)
        #expect(digest.encoded == hex, "\(algorithm) of \"\(input)\"")
        #expect(digest.description == "\(algorithm.rawValue):\(hex)")
    }

    @Test(arguments: [
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    ])
    func parsesValid(text: String) throws {
        let digest = try Digest(parsing: text)
        #expect(digest.description == text)
        #expect(digest.pathComponent == text.replacingOccurrences(of: ":", with: "/"))
        #expect(digest.shortID == String(text.split(separator: ":")[1].prefix(12)))
    }

    @Test(arguments: [
        "",
        "sha256",
        "sha256:",
        ":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
        "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha256+b64:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ])
    func rejectsInvalid(text: String) {
        #expect(throws: OCIError.self, "\"\(text)\" should be rejected") { try Digest(parsing: text) }
        do {
            _ = try Digest(parsing: text)
        } catch {
            #expect(error.code == .invalidArgument)
        }
    }

    @Test(arguments: Digest.Algorithm.allCases)
    func streamingEqualsOneShot(algorithm: Digest.Algorithm) {
        let bytes = Data((0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        var hasher = DigestHasher(algorithm: algorithm)
        var offset = 0
        // Uneven chunk sizes cross the hash's internal block boundaries.
        for size in [1, 63, 64, 65, 1000, 4096, 7] {
            var remaining = size
            while remaining > 0, offset < bytes.count {
                let end = min(offset + remaining, bytes.count)
                hasher.update(bytes[offset..<end])
                remaining -= end - offset
                offset = end
            }
        }
        hasher.update(bytes[offset...])
        #expect(hasher.count == Int64(bytes.count))
        #expect(hasher.finalize() == Digest(of: bytes, algorithm: algorithm))
    }

    @Test func codableUsesTheTextForm() throws {
        let digest = Digest(of: Data("hello".utf8))
        let encoded = try JSONEncoder().encode([digest])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"\(digest)\"]")
        #expect(try JSONDecoder().decode([Digest].self, from: encoded) == [digest])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Digest].self, from: Data("[\"sha256:00\"]".utf8)) }
    }
}
