/// A heap block holding the pixels of one `Frame`; freed in `deinit`.
///
/// Frames share a storage as values share an array: `Frame` copies it before any mutation unless it is
/// the only owner, and `VideoReader` reuses a storage for the next frame only when it holds the only
/// reference (`isKnownUniquelyReferenced`).
///
/// `@unchecked Sendable` is safe because the bytes are written only by an owner that holds the sole
/// reference (checked with `isKnownUniquelyReferenced` right before writing, and nobody can gain a
/// reference from a holder that does not exist); while shared, the bytes are only read.
final class PixelStorage: @unchecked Sendable {
    /// Extra bytes after the last row: SIMD converters in swscale may write a little past the row end.
    static let tailPadding = 64
    /// Row starts are aligned to this many bytes, as FFmpeg aligns its own frame buffers.
    static let rowAlignment = 32

    let bytes: UnsafeMutableRawPointer
    let byteCount: Int

    /// Allocates `byteCount` bytes (plus tail padding); zero-filled when `zeroed`, else left for the
    /// caller to overwrite entirely (the decoder's converter writes every byte of every row).
    init(byteCount: Int, zeroed: Bool = true) {
        self.byteCount = byteCount
        let total = byteCount + Self.tailPadding
        bytes = UnsafeMutableRawPointer.allocate(byteCount: total, alignment: 64)
        if zeroed {
            bytes.initializeMemory(as: UInt8.self, repeating: 0, count: total)
        } else {
            bytes.advanced(by: byteCount).initializeMemory(as: UInt8.self, repeating: 0, count: Self.tailPadding)
        }
    }

    deinit {
        bytes.deallocate()
    }

    /// The row stride used for `width` packed RGB24 pixels: `3 * width` rounded up to `rowAlignment`.
    static func alignedStride(width: Int) -> Int {
        let packed = width * 3
        return (packed + rowAlignment - 1) / rowAlignment * rowAlignment
    }

    /// A new storage with the same bytes.
    func copy() -> PixelStorage {
        let other = PixelStorage(byteCount: byteCount, zeroed: false)
        other.bytes.copyMemory(from: bytes, byteCount: byteCount)
        return other
    }
}
