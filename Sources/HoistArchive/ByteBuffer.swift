/// A fixed-size heap buffer that frees itself, shared by readers and codecs as scratch space.
///
/// A class so a struct holding one can pass its memory to a system call while also mutating its
/// other stored properties (no overlapping access to `self`).
final class ByteBuffer {
    let pointer: UnsafeMutableRawBufferPointer

    init(capacity: Int) {
        pointer = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { pointer.deallocate() }

    var count: Int { pointer.count }
}

/// The size of the buffers used for copying file contents and compressed streams.
let defaultBufferSize = 1 << 20
