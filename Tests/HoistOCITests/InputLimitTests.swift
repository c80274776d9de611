import Testing

@testable import HoistOCI

/// Numbers from input that end up in system calls and arithmetic.
@Suite struct InputLimitTests {
    @Test(arguments: ["4294967295", "4294967294", "2147483648", "99999999999999999999"])
    func idsOutsideDockersRangeAreRefused(text: String) {
        let error = #expect(throws: OCIError.self) { _ = try AccountID.parse(text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("0-2147483647") == true)
    }

    @Test func idsInRangeAndNamesPass() throws {
        #expect(try AccountID.parse("0") == 0)
        #expect(try AccountID.parse("2147483647") == 2_147_483_647)
        #expect(try AccountID.parse("nobody") == nil)
        #expect(try AccountID.parse("-1") == nil)
        #expect(try AccountID.parse("") == nil)
    }

    @Test(arguments: [("64m", Int64(64 << 20)), ("1g", Int64(1 << 30)), ("512k", Int64(512 << 10)), ("100", Int64(100)),
                      ("64MB", Int64(64 << 20)), ("1.5g", Int64(3 << 29)), ("2 MiB", Int64(2 << 20)), ("0", Int64(0))])
    func sizesParseAsDockerReadsThem(text: String, bytes: Int64) throws {
        #expect(try ByteSize.parse(text) == bytes)
    }

    @Test(arguments: ["-5m", "abc", "5x", "", "1e300", "99999999999p", "nan", "inf", "5mm"])
    func badSizesAreRefused(text: String) {
        let error = #expect(throws: OCIError.self) { _ = try ByteSize.parse(text) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func sizeSumsSaturate() throws {
        let layer = Descriptor(mediaType: .ociLayer, digest: Digest(of: [1]), size: .max)
        let manifest = ImageManifest(
            config: Descriptor(mediaType: .ociConfig, digest: Digest(of: [2]), size: 100), layers: [layer, layer])
        #expect(manifest.totalSize == .max)
    }
}
