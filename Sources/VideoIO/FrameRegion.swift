/// A rectangle of a `Frame` (a crop) that shares the frame's pixels instead of copying them.
///
/// Rows keep the frame's `rowStride`; `withUnsafePixels` hands out a pointer to the rectangle's
/// top-left pixel.
public struct FrameRegion: Sendable {
    /// The frame this region looks into.
    public let frame: Frame
    /// Left column of the region in the frame.
    public let x: Int
    /// Top row of the region in the frame.
    public let y: Int
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int

    /// Calls `body` with a pointer to the region's top-left pixel, its width, height and the row
    /// stride in bytes (the frame's stride).
    ///
    /// - Note: The pointer is valid only inside `body`; read at most `3 * width` bytes per row.
    public func withUnsafePixels<Result, Failure: Error>(
        _ body: (UnsafePointer<UInt8>, _ width: Int, _ height: Int, _ rowStride: Int) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let (x, y, width, height) = (self.x, self.y, self.width, self.height)
        return try frame.withUnsafePixels { (base, _, _, stride) throws(Failure) -> Result in
            try body(base + y * stride + 3 * x, width, height, stride)
        }
    }

    /// The region as a frame of its own (copies the region's pixels only), with the frame's index and time.
    public func makeFrame() -> Frame {
        var result = Frame(width: width, height: height, index: frame.index, time: frame.time)
        withUnsafePixels { source, width, height, sourceStride in
            result.withUnsafeMutablePixels { destination, _, _, destinationStride in
                for row in 0..<height {
                    (destination + row * destinationStride).update(from: source + row * sourceStride, count: 3 * width)
                }
            }
        }
        return result
    }
}
