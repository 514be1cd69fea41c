/// Resizes 8-bit RGB like Pillow's `Image.resize(size, Image.BILINEAR)` (its `ImagingResample`),
/// bit for bit: a triangle filter whose support widens by the downscale factor (so shrinking
/// antialiases), coefficients normalised per output pixel and rounded to 22-bit fixed point, a
/// horizontal pass rounded and clipped to 8 bits, then a vertical pass.
///
/// This is the resampling of the official PFSA pipeline (`RectScale`, PIL bilinear).
struct BilinearResampler {
    /// Pillow's fixed-point precision for 8-bit images: 32 − 8 − 2 bits.
    static let precisionBits = 22

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

    /// Pillow's `clip8`: the fixed-point sum shifted back to 8 bits, clamped to 0...255.
    @inline(__always)
    static func clip8(_ value: Int32) -> UInt8 {
        let v = value >> Int32(precisionBits)
        return v < 0 ? 0 : v > 255 ? 255 : UInt8(v)
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
                for y in 0..<rows {
                    horizontalRow(pixels + (first + y) * rowStride, horizontal, outWidth: outWidth, into: t.baseAddress! + y * tempStride)
                }
            }
            let source = needH ? UnsafePointer(t.baseAddress!) : pixels + first * rowStride
            if !needV {
                // Only the horizontal pass (or neither): copy rows.
                for y in 0..<outHeight { (out + y * outWidth * 3).update(from: source + y * tempStride, count: columns * 3) }
                return
            }
            var sums = [Int32](repeating: 0, count: columns * 3)
            sums.withUnsafeMutableBufferPointer { sums in
                for y in 0..<outHeight {
                    verticalRow(source + (vertical.start[y] - first) * tempStride, stride: tempStride, vertical, row: y,
                                sums: sums, into: out + y * outWidth * 3)
                }
            }
        }
    }

    /// One output row of the horizontal pass: each output pixel sums its taps of `src`.
    @inline(__always)
    private static func horizontalRow(_ src: UnsafePointer<UInt8>, _ axis: Axis, outWidth: Int, into dst: UnsafeMutablePointer<UInt8>) {
        let half = Int32(1 << (precisionBits - 1))
        axis.weights.withUnsafeBufferPointer { weights in
            for x in 0..<outWidth {
                let s = axis.start[x], n = axis.count[x], w = weights.baseAddress! + x * axis.taps
                var r = half, g = half, b = half
                for j in 0..<n {
                    let p = src + (s + j) * 3
                    let k = w[j]
                    r &+= Int32(p[0]) &* k
                    g &+= Int32(p[1]) &* k
                    b &+= Int32(p[2]) &* k
                }
                dst[x * 3] = clip8(r)
                dst[x * 3 + 1] = clip8(g)
                dst[x * 3 + 2] = clip8(b)
            }
        }
    }

    /// Output row `row` of the vertical pass: the taps' rows (from `src`, `stride` bytes apart) are
    /// weighted and added one whole row at a time, so the inner loop runs along the row.
    @inline(__always)
    private static func verticalRow(
        _ src: UnsafePointer<UInt8>, stride: Int, _ axis: Axis, row: Int, sums: UnsafeMutableBufferPointer<Int32>,
        into dst: UnsafeMutablePointer<UInt8>
    ) {
        let half = Int32(1 << (precisionBits - 1))
        let count = sums.count, acc = sums.baseAddress!
        for x in 0..<count { acc[x] = half }
        for j in 0..<axis.count[row] {
            let k = axis.weights[row * axis.taps + j], line = src + j * stride
            for x in 0..<count { acc[x] &+= Int32(line[x]) &* k }
        }
        for x in 0..<count { dst[x] = clip8(acc[x]) }
    }
}
