/// A sink that passes bytes on to `base` and tells `counted` how many have gone through so far,
/// at most once per `interval` bytes (and on close): a progress display's view of a copy.
public struct CountingSink<Base: ByteSink>: ByteSink {
    public private(set) var base: Base
    public private(set) var count: Int64 = 0
    private var reported: Int64 = 0
    private let interval: Int64
    private let counted: (Int64) -> Void

    public init(_ base: Base, interval: Int64 = 1 << 20, counted: @escaping (Int64) -> Void) {
        self.base = base
        self.interval = interval
        self.counted = counted
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        try base.write(bytes)
        count += Int64(bytes.count)
        if count - reported >= interval {
            reported = count
            counted(count)
        }
    }

    public mutating func close() throws {
        try base.close()
        if count != reported { counted(count) }
    }
}
