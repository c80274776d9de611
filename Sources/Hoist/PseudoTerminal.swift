#if canImport(Glibc)
    import Glibc
#endif
import Foundation

/// A pseudo-terminal pair for a debug process with a terminal: the runtime gets the follower
/// side as its stdio (and relays it to the container's own terminal, resizing that one to the
/// follower's size on SIGWINCH); Hoist keeps the leader side to read output, write input and
/// set the window size.
struct PseudoTerminal: Sendable {
    /// The side Hoist reads and writes.
    let leader: Int32
    /// The side the runtime gets as stdin, stdout and stderr.
    let follower: Int32

    /// Opens a new pair, both sides close-on-exec (the runtime gets the follower by dup2).
    init(columns: UInt16, rows: UInt16) throws {
        let leader = Self.openLeader(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard leader >= 0 else { throw Self.failure("open a pseudo-terminal") }
        var name = [CChar](repeating: 0, count: 128)
        guard Self.unlock(leader) == 0, Self.followerName(leader, &name, name.count) == 0 else {
            close(leader)
            throw Self.failure("unlock the pseudo-terminal")
        }
        let follower = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard follower >= 0 else {
            close(leader)
            throw Self.failure("open \(String(cString: name))")
        }
        self.leader = leader
        self.follower = follower
        try resize(columns: columns, rows: rows)
    }

    /// Sets the window size the follower side reports.
    func resize(columns: UInt16, rows: UInt16) throws {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        guard ioctl(leader, UInt(TIOCSWINSZ), &size) == 0 else { throw Self.failure("set the terminal size") }
    }

    // posix_openpt, unlockpt and ptsname_r are behind _XOPEN_SOURCE/_GNU_SOURCE in Glibc's
    // Swift module: found by name, as ExternalProcess finds pipe2.
    private typealias OpenLeader = @convention(c) (Int32) -> Int32
    private typealias Unlock = @convention(c) (Int32) -> Int32
    private typealias FollowerName = @convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32
    private static let openLeader = unsafeBitCast(dlsym(nil, "posix_openpt")!, to: OpenLeader.self)
    private static let unlock = unsafeBitCast(dlsym(nil, "unlockpt")!, to: Unlock.self)
    private static let followerName = unsafeBitCast(dlsym(nil, "ptsname_r")!, to: FollowerName.self)

    private static func failure(_ what: String) -> ClientError {
        ClientError(.unavailable, "cannot \(what): \(String(cString: strerror(errno)))")
    }
}
