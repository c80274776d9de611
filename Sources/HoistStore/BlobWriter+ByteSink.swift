public import HoistArchive

/// A blob writer is a sink, so tar readers and compressors can stream straight into the store.
/// `close()` only ends the stream; ``BlobWriter/commit()`` is what verifies and publishes.
extension BlobWriter: ByteSink {
    public func close() throws {}
}
