/// A person box in frame pixels: left, top, width, height (MOTChallenge order).
public struct CropBox: Sendable, Equatable {
    /// Left edge.
    public var x: Double
    /// Top edge.
    public var y: Double
    /// Width.
    public var width: Double
    /// Height.
    public var height: Double

    /// A box at (`x`, `y`) of `width`×`height` pixels.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The integer pixel rectangle `(x0, y0, x1, y1)` this box covers inside a `frameWidth`×`frameHeight`
    /// image: edges rounded to the nearest pixel, then clipped; nil when nothing is left.
    public func clipped(frameWidth: Int, frameHeight: Int) -> (x0: Int, y0: Int, x1: Int, y1: Int)? {
        guard x.isFinite, y.isFinite, width.isFinite, height.isFinite else { return nil }
        let x0 = max(0, Int((x).rounded())), y0 = max(0, Int((y).rounded()))
        let x1 = min(frameWidth, Int((x + width).rounded())), y1 = min(frameHeight, Int((y + height).rounded()))
        return x1 > x0 && y1 > y0 ? (x0, y0, x1, y1) : nil
    }
}

/// Turns a box of an RGB24 frame into the network's input: crop (clipped to the frame), resize to
/// the model input exactly as PIL's bilinear resize does (the official pipeline's `RectScale`),
/// scale to [0, 1], normalise with ImageNet's mean and std, planar RGB (one image of NCHW).
///
/// ReIDNet does not import VideoIO: callers pass a pointer, width, height and row stride (a `Frame`'s
/// `withUnsafePixels` gives exactly these).
public struct CropPreprocessor: Sendable {
    /// Output rows.
    public let height: Int
    /// Output columns.
    public let width: Int
    /// ImageNet per-channel mean (R, G, B).
    public static let mean: [Float] = [0.485, 0.456, 0.406]
    /// ImageNet per-channel standard deviation (R, G, B).
    public static let std: [Float] = [0.229, 0.224, 0.225]

    /// A preprocessor producing `height`×`width` inputs.
    public init(height: Int, width: Int) {
        precondition(height > 0 && width > 0, "CropPreprocessor: size must be positive")
        self.height = height
        self.width = width
    }

    /// The crop resized to `height`×`width`, packed RGB24 (what Pillow's resize returns).
    ///
    /// - Parameters:
    ///   - box: the region to crop; nil for the whole image.
    /// - Throws: ``ModelError`` when the box lies entirely outside the image.
    public func resizedPixels(
        _ pixels: UnsafePointer<UInt8>, width frameWidth: Int, height frameHeight: Int, rowStride: Int, box: CropBox?
    ) throws -> [UInt8] {
        let rect: (x0: Int, y0: Int, x1: Int, y1: Int)
        if let box {
            guard let r = box.clipped(frameWidth: frameWidth, frameHeight: frameHeight) else {
                throw ModelError(.boxOutsideImage(
                    x: box.x, y: box.y, width: box.width, height: box.height, imageWidth: frameWidth, imageHeight: frameHeight))
            }
            rect = r
        } else {
            rect = (0, 0, frameWidth, frameHeight)
        }
        precondition(rowStride >= 3 * frameWidth, "CropPreprocessor: row stride \(rowStride) < 3 × width \(frameWidth)")
        var out = [UInt8](repeating: 0, count: height * width * 3)
        out.withUnsafeMutableBufferPointer { dst in
            BilinearResampler.resize(
                pixels: pixels + rect.y0 * rowStride + rect.x0 * 3, width: rect.x1 - rect.x0, height: rect.y1 - rect.y0,
                rowStride: rowStride, outWidth: width, outHeight: height, into: dst.baseAddress!)
        }
        return out
    }

    /// Floats in one image of input: 3·height·width.
    public var inputCount: Int { 3 * height * width }

    /// Writes the normalised planar input for resized RGB24 `pixels` (`height`×`width`×3) into
    /// `out[0 ..< 3·height·width]`: (v / 255 − mean) / std per channel, as torchvision's
    /// `ToTensor` + `Normalize` compute it in float32.
    public func normalize(_ pixels: [UInt8], into out: UnsafeMutablePointer<Float>) {
        precondition(pixels.count == height * width * 3, "CropPreprocessor.normalize: \(pixels.count) bytes for \(height)x\(width)")
        let plane = height * width
        let (red, green, blue) = (out, out + plane, out + 2 * plane)
        Self.normalized.withUnsafeBufferPointer { table in
            pixels.withUnsafeBufferPointer { pixels in
                for i in 0..<plane {
                    red[i] = table[Int(pixels[3 * i])]
                    green[i] = table[256 + Int(pixels[3 * i + 1])]
                    blue[i] = table[512 + Int(pixels[3 * i + 2])]
                }
            }
        }
    }

    /// (v / 255 − mean) / std of every byte v, channel after channel (256 values each): the same float32
    /// operations as computing each pixel, so the same bits, without two divisions a value. One
    /// 256x128 crop took 30 µs instead of 43 (best of 200, Zen 4); normalising had been about 1% of
    /// `panoptes embed`'s MobileNetV2 samples.
    private static let normalized: [Float] = (0..<3).flatMap { c in
        (0..<256).map { v in (Float(v) / 255 - mean[c]) / std[c] }
    }

    /// Crops, resizes and normalises `count` images at once, the images shared over the network's
    /// threads: image i's input goes to `out + i · inputCount`.
    ///
    /// - Parameter image: called once per index, on any of the threads; it passes the image's pixels
    ///   (base, width, height, row stride) and its box to the function it is given.
    /// - Throws: the first error (by index) that `image` or an image's box raised; the other images
    ///   are still written.
    public func prepare(
        count: Int, into out: UnsafeMutablePointer<Float>,
        image: (Int, (UnsafePointer<UInt8>, Int, Int, Int, CropBox?) throws -> Void) throws -> Void
    ) throws {
        var failures = [(any Error)?](repeating: nil, count: count)
        let inputCount = self.inputCount
        failures.withUnsafeMutableBufferPointer { failures in
            ParallelFor.run(count) { range in
                for i in range {
                    do {
                        try image(i) { pixels, width, height, rowStride, box in
                            let resized = try resizedPixels(pixels, width: width, height: height, rowStride: rowStride, box: box)
                            normalize(resized, into: out + i * inputCount)
                        }
                    } catch {
                        failures[i] = error
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }
}
