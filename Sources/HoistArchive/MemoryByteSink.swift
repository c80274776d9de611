/// A ``ByteSink`` that collects what is written into an array.
public struct MemoryByteSink: ByteSink, Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8] = []
    /// Whether ``close()`` has been called.
    public private(set) var isClosed = false

    public init() {}

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }

    public mutating func close() throws {
        isClosed = true
    }
}
