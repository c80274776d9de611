/// The slowest a transfer may go before it is given up, as curl's `--speed-limit` and
/// `--speed-time`: at least ``bytes`` in every ``window``. The idle timeout alone cannot tell a
/// stalled registry from one that drips a byte every few seconds and holds a pull for hours.
public struct TransferRate: Sendable, Hashable {
    /// The fewest bytes each window must bring.
    public var bytes: Int64
    /// How long a window is.
    public var window: Duration

    public init(bytes: Int64, window: Duration) {
        self.bytes = bytes
        self.window = window
    }

    /// 1 KiB in every 30 seconds.
    public static let standard = TransferRate(bytes: 1024, window: .seconds(30))
}

/// Watches one transfer against a ``TransferRate``: told of every chunk as it arrives, it
/// throws once a whole window has brought less than the floor.
struct TransferWatch {
    let floor: TransferRate
    private let clock = ContinuousClock()
    private var windowStart: ContinuousClock.Instant
    private var bytesInWindow: Int64 = 0

    init(_ floor: TransferRate) {
        self.floor = floor
        windowStart = clock.now
    }

    /// Counts `count` more bytes of the transfer `what`; throws `unavailable` (not retried: a
    /// retry would be as slow) when the window that just ended fell short.
    mutating func record(_ count: Int, what: @autoclosure () -> String) throws {
        bytesInWindow += Int64(count)
        let now = clock.now
        guard now - windowStart >= floor.window else { return }
        guard bytesInWindow >= floor.bytes else {
            throw RegistryError(
                .unavailable,
                "\(what()) is too slow: \(bytesInWindow) bytes in \(now - windowStart), less than \(floor.bytes) bytes per \(floor.window); giving up")
        }
        windowStart = now
        bytesInWindow = 0
    }
}
