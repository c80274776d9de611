import Testing

@testable import HoistBuild

/// How `ADD <url>` names its download: never a path, whatever the URL smuggles in.
@Suite struct DownloadFileNameTests {
    @Test(arguments: [
        ("http://127.0.0.1:8001/..%2f..%2f..%2f..%2ftmp%2fvictim.txt", "victim.txt"),
        ("http://h/a/b/c.tar.gz", "c.tar.gz"),
        ("http://h/a/b/c.tar.gz?x=1#frag", "c.tar.gz"),
        ("http://h/dir/", "dir"),
        ("http://h/", DownloadFileName.unnamed),
        ("http://h", DownloadFileName.unnamed),
        ("http://h/%2e%2e", "download"),
        ("http://h/a/%2e%2e%2f", "download"),
        ("http://h/%00", "download"),
        ("http://h/new%0aline", "download"),
        ("http://h/space%20name", "space name"),
        ("https://h/x/..%2F..%2Fetc%2Fpasswd", "passwd"),
    ])
    func namesAreTheDecodedLastElement(url: String, expected: String) {
        let name = DownloadFileName.of(url: url)
        #expect(name == expected)
        #expect(!name.contains("/"))
    }

    @Test(arguments: [
        ("../../etc/passwd", "passwd"), ("..", "download"), (".", "download"), ("", "download"), ("a/", "a"),
        ("  x.txt ", "x.txt"), ("/", "download"), ("ok.txt", "ok.txt"),
    ])
    func givenNamesAreMadeSafe(given: String, expected: String) {
        #expect(DownloadFileName.safe(given) == expected)
    }
}
