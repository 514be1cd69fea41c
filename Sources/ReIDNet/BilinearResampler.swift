internal import CKernels

/// Resizes 8-bit RGB like Pillow's `Image.resize(size, Image.BILINEAR)` (its `ImagingResample`),
/// bit for bit: a triangle filter whose support widens by the downscale factor (so shrinking
/// antialiases), coefficients normalised per output pixel and rounded to 22-bit fixed point, a
/// horizontal pass rounded and clipped to 8 bits, then a vertical pass.
///
/// This is the resampling of the official PFSA pipeline (`RectScale`, PIL bilinear). The passes' loops
/// are CKernels' `ck_resample_horizontal` and `ck_resample_vertical`: in Swift, with a range check per
/// value, they took 0.17 ms of a 60x140 box enlarged to 128x256 (now 0.09 ms), as long as inflating
/// the box's PNG.
struct BilinearResampler {
    /// Pillow's fixed-point precision for 8-bit images: 32 − 8 − 2 bits.
    static let precisionBits = Int(CK_RESAMPLE_PRECISION_BITS)

    /// One axis' coefficients: for output pixel i, inputs `start[i] ..< start[i] + count[i]` with
    /// weights `weights[i * taps ..< i * taps + count[i]]`.
    struct Axis {
        var start: [Int]
        var count: [Int]
        var taps: Int
        var weights: [Int32]
    }

    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for `inSize` → `outSize` over the whole input.
    static func axis(inSize: Int, outSize: Int) -> Axis {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = 1.0 * filterScale  // the bilinear filter's support is 1
        let taps = Int(support.rounded(.up)) * 2 + 1
        var start = [Int](repeating: 0, count: outSize)
        var count = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var k = [Double](repeating: 0, count: taps)
        for i in 0..<outSize {
            let center = (Double(i) + 0.5) * scale
            let inverse = 1 / filterScale
            // C's (int) cast truncates toward zero.
            var xmin = Int((center - support + 0.5).rounded(.towardZero))
            if xmin < 0 { xmin = 0 }
            var xmax = Int((center + support + 0.5).rounded(.towardZero))
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var total = 0.0
            for x in 0..<max(xmax, 0) {
                let t = abs((Double(x + xmin) - center + 0.5) * inverse)
                let w = t < 1 ? 1 - t : 0
                k[x] = w
                total += w
            }
            for x in 0..<max(xmax, 0) {
                let w = total != 0 ? k[x] / total : k[x]
                let fixed = w * Double(1 << precisionBits)
                weights[i * taps + x] = Int32(w < 0 ? (-0.5 + fixed).rounded(.towardZero) : (0.5 + fixed).rounded(.towardZero))
            }
            start[i] = xmin
            count[i] = max(xmax, 0)
        }
        return Axis(start: start, count: count, taps: taps, weights: weights)
    }

    /// Resizes the `width`×`height` RGB24 region at `pixels` (rows `rowStride` bytes apart) to
    /// `outWidth`×`outHeight`, tightly packed RGB24 in `out`.
    static func resize(
        pixels: UnsafePointer<UInt8>, width: Int, height: Int, rowStride: Int,
        outWidth: Int, outHeight: Int, into out: UnsafeMutablePointer<UInt8>
    ) {
        let horizontal = axis(inSize: width, outSize: outWidth)
        let vertical = axis(inSize: height, outSize: outHeight)
        let needH = outWidth != width, needV = outHeight != height
        // Rows the vertical pass reads: Pillow resamples only those horizontally.
        let first = needV ? vertical.start[0] : 0
        let last = needV ? vertical.start[outHeight - 1] + vertical.count[outHeight - 1] : height
        let rows = last - first
        // Horizontal pass into a packed temporary of `rows` rows (or the input itself when not needed).
        var temp = [UInt8](repeating: 0, count: needH ? rows * outWidth * 3 : 0)
        let tempStride = needH ? outWidth * 3 : rowStride
        let columns = needH ? outWidth : width
        temp.withUnsafeMutableBufferPointer { t in
            if needH {
                let plan = HorizontalPlan(horizontal, inWidth: width)
                for y in 0..<rows { plan.resample(pixels + (first + y) * rowStride, into: t.baseAddress! + y * tempStride) }
            }
            let source = needH ? UnsafePointer(t.baseAddress!) : pixels + first * rowStride
            if !needV {
                // Only the horizontal pass (or neither): copy rows.
                for y in 0..<outHeight { (out + y * outWidth * 3).update(from: source + y * tempStride, count: columns * 3) }
                return
            }
            // The vertical pass, one output row at a time along the whole row.
            vertical.weights.withUnsafeBufferPointer { weights in
                for y in 0..<outHeight {
                    ck_resample_vertical(source + (vertical.start[y] - first) * tempStride, tempStride,
                                         weights.baseAddress! + y * vertical.taps, Int32(vertical.count[y]), Int32(columns * 3),
                                         out + y * outWidth * 3)
                }
            }
        }
    }

    /// The horizontal pass's taps laid out for a loop without bounds: every output pixel reads the same
    /// number of input pixels (the most any reads), its weights placed so that each read stays inside
    /// the row (a pixel near the right edge reads from further left, with zero weights in front).
    struct HorizontalPlan {
        /// Taps every output pixel reads.
        let taps: Int
        /// Byte offset in the row of each output pixel's first tap.
        let offsets: [Int]
        /// `taps` weights per output pixel, zero where it has fewer.
        let weights: [Int32]
        /// Whether two-tap rows go through AVX2 gathers: CKernels' one switch, `Conv2D.vectorKernels`.
        let gathers = Conv2D.vectorKernels

        /// The plan for `axis` over rows of `inWidth` pixels (no pixel has more taps than a row has pixels).
        init(_ axis: Axis, inWidth: Int) {
            let taps = axis.count.max() ?? 0
            precondition(taps > 0 && inWidth >= taps, "BilinearResampler: \(taps) taps over rows of \(inWidth) pixels")
            var offsets = [Int](repeating: 0, count: axis.start.count)
            var weights = [Int32](repeating: 0, count: axis.start.count * taps)
            for x in axis.start.indices {
                let start = min(axis.start[x], inWidth - taps), shift = axis.start[x] - start
                offsets[x] = start * 3
                for j in 0..<axis.count[x] { weights[x * taps + shift + j] = axis.weights[x * axis.taps + j] }
            }
            self.taps = taps
            self.offsets = offsets
            self.weights = weights
        }

        /// One row: `src` (RGB24) to `offsets.count` pixels at `dst`, rounded and clipped as Pillow does.
        func resample(_ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>) {
            ck_resample_horizontal(src, offsets, weights, Int32(taps), Int32(offsets.count), dst, gathers ? 1 : 0)
        }
    }
}
