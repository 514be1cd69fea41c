/// One decoded picture: packed RGB24 pixels with its 0-based decode index and presentation time.
///
/// Pixels are rows of `width` RGB triplets (R, G, B, one byte each), top row first; row `y` starts at
/// byte `y * rowStride`, and `rowStride >= 3 * width` (rows may be padded for alignment: always use
/// `rowStride`, never `3 * width`, to step between rows).
///
/// `Frame` is a value: copies share the pixel buffer until one of them is mutated (copy on write),
/// so passing frames between tasks is cheap. Take a crop with `region(x:y:width:height:)`, which
/// copies nothing.
public struct Frame: Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Bytes from the start of one row to the start of the next (at least `3 * width`).
    public let rowStride: Int
    /// 0-based index of the frame in decode output (presentation) order.
    public var index: Int
    /// Presentation time in seconds (see `VideoReader` for how it is derived).
    public var time: Double

    var storage: PixelStorage

    /// Wraps `storage` (internal: the reader fills a storage, then hands it over).
    init(width: Int, height: Int, rowStride: Int, index: Int, time: Double, storage: PixelStorage) {
        precondition(width > 0 && height > 0 && rowStride >= 3 * width)
        precondition(storage.byteCount >= rowStride * height)
        self.width = width
        self.height = height
        self.rowStride = rowStride
        self.index = index
        self.time = time
        self.storage = storage
    }

    /// A black frame of `width` x `height` pixels with aligned rows.
    ///
    /// - Precondition: `width > 0` and `height > 0`.
    public init(width: Int, height: Int, index: Int = 0, time: Double = 0) {
        precondition(width > 0 && height > 0, "Frame size must be positive, got \(width)x\(height)")
        let stride = PixelStorage.alignedStride(width: width)
        self.init(
            width: width, height: height, rowStride: stride, index: index, time: time,
            storage: PixelStorage(byteCount: stride * height))
    }

    /// A frame holding a copy of `pixels`, which are `height` rows of `rowStride` bytes
    /// (`rowStride` defaults to `3 * width`, i.e. tightly packed).
    ///
    /// - Throws: `VideoError` (`.invalidArgument`) when the sizes do not fit `pixels.count`.
    public init(
        width: Int, height: Int, pixels: [UInt8], rowStride: Int? = nil, index: Int = 0, time: Double = 0
    ) throws {
        let sourceStride = rowStride ?? 3 * width
        guard width > 0, height > 0, sourceStride >= 3 * width,
            pixels.count >= sourceStride * (height - 1) + 3 * width
        else {
            throw VideoError(
                kind: .invalidArgument, path: "<pixels>", operation: "make a \(width)x\(height) frame",
                hint: "got \(pixels.count) bytes with a row stride of \(sourceStride); an RGB24 frame needs "
                    + "rows of at least 3 x width bytes")
        }
        self.init(width: width, height: height, index: index, time: time)
        let destinationStride = self.rowStride
        let base = storage.bytes
        pixels.withUnsafeBytes { source in
            for y in 0..<height {
                base.advanced(by: y * destinationStride)
                    .copyMemory(from: source.baseAddress! + y * sourceStride, byteCount: 3 * width)
            }
        }
    }

    /// Calls `body` with a pointer to the first pixel, the width, the height and the row stride in bytes.
    ///
    /// - Note: The pointer is valid only inside `body`; do not store it.
    public func withUnsafePixels<Result, Failure: Error>(
        _ body: (UnsafePointer<UInt8>, _ width: Int, _ height: Int, _ rowStride: Int) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let pointer = UnsafePointer<UInt8>(storage.bytes.assumingMemoryBound(to: UInt8.self))
        let result = try body(pointer, width, height, rowStride)
        withExtendedLifetime(storage) {}
        return result
    }

    /// Calls `body` with a mutable pointer to the pixels (copying them first if another frame shares them).
    ///
    /// - Note: The pointer is valid only inside `body`; write at most `3 * width` bytes in each row.
    public mutating func withUnsafeMutablePixels<Result, Failure: Error>(
        _ body: (UnsafeMutablePointer<UInt8>, _ width: Int, _ height: Int, _ rowStride: Int) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
        let pointer = storage.bytes.assumingMemoryBound(to: UInt8.self)
        let result = try body(pointer, width, height, rowStride)
        withExtendedLifetime(storage) {}
        return result
    }

    /// The pixels as one tightly packed array of `3 * width * height` bytes (a copy).
    public func packedPixels() -> [UInt8] {
        let rowBytes = 3 * width
        return [UInt8](unsafeUninitializedCapacity: rowBytes * height) { buffer, count in
            withUnsafePixels { source, _, height, stride in
                for y in 0..<height {
                    UnsafeMutableRawPointer(buffer.baseAddress! + y * rowBytes)
                        .copyMemory(from: source + y * stride, byteCount: rowBytes)
                }
            }
            count = rowBytes * height
        }
    }

    /// The MD5 of the packed pixels (`3 * width` bytes per row, padding excluded) as 32 lowercase hex
    /// digits: the hash `ffmpeg -pix_fmt rgb24 -f framemd5` prints for the same picture.
    public func md5() -> String {
        withUnsafePixels { base, width, height, stride in
            FFmpeg.md5Hex(rows: height, rowBytes: 3 * width, stride: stride, base: base)
        }
    }

    /// The red, green and blue values of the pixel at column `x`, row `y`.
    ///
    /// - Precondition: `0 <= x < width`, `0 <= y < height`.
    public func pixel(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
        return withUnsafePixels { base, _, _, stride in
            let p = base + y * stride + 3 * x
            return (p[0], p[1], p[2])
        }
    }

    /// A view of the rectangle at (`x`, `y`) of `width` x `height` pixels; copies no pixels.
    ///
    /// - Precondition: the rectangle is non-empty and lies inside the frame. Use
    ///   `clampedRegion(x:y:width:height:)` for boxes that may stick out.
    public func region(x: Int, y: Int, width: Int, height: Int) -> FrameRegion {
        precondition(
            width > 0 && height > 0 && x >= 0 && y >= 0 && x + width <= self.width && y + height <= self.height,
            "region (\(x), \(y), \(width)x\(height)) is not inside a \(self.width)x\(self.height) frame")
        return FrameRegion(frame: self, x: x, y: y, width: width, height: height)
    }

    /// The part of the rectangle at (`x`, `y`) of `width` x `height` pixels that lies inside the frame,
    /// or `nil` when they do not overlap; copies no pixels.
    public func clampedRegion(x: Int, y: Int, width: Int, height: Int) -> FrameRegion? {
        let left = max(0, x), top = max(0, y)
        let right = min(self.width, x + width), bottom = min(self.height, y + height)
        guard right > left, bottom > top else { return nil }
        return FrameRegion(frame: self, x: left, y: top, width: right - left, height: bottom - top)
    }
}
