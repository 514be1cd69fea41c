import Foundation

/// How the last feature map (C×h×w per image) becomes one embedding; every choice ends L2-normalised.
///
/// The eval helper's `--pooling` takes these raw values.
public enum Pooling: String, Sendable, CaseIterable {
    /// Global average pooling: the mean of each channel, C values.
    case average
    /// The paper's spatial attention: a = softmax over positions of Σ_c X(c,·); f_c = mean(X_c · a).
    /// On real activations the channel sums are in the hundreds, so `a` is one-hot (see
    /// ``Embedding/attentionPeak``).
    case softmax
    /// The official code's spatial attention: m = mean over channels of X, a = m / Σ m;
    /// f_c = mean(X_c · a). The default for the compact descriptors.
    case normalized
    /// The official retrieval descriptor: 6 horizontal stripes averaged with the Python-2 integer
    /// rule (s = h / 6, k = h − 5s; overlapping when h = 16), each L2-normalised over channels,
    /// flattened channel-major (index c·6 + p): 6·C values. Needs h ≥ 6.
    case stripes

    /// The attention weight above which a softmax map counts as saturated (one position takes all).
    public static let saturationThreshold: Float = 0.99

    /// Stripes of the retrieval descriptor.
    public static let stripeCount = 6

    /// The embedding's length for a `channels`-channel feature map.
    public func dimension(channels: Int) -> Int { self == .stripes ? channels * Pooling.stripeCount : channels }

    /// The stripe rule for a map of `height` rows: stride s = h / 6 (floor) and kernel k = h − 5s.
    public static func stripeGeometry(height: Int) -> (kernel: Int, stride: Int) {
        let s = height / stripeCount
        return (height - (stripeCount - 1) * s, s)
    }

    /// Pools one image's map, `channels` planes of `height`×`width` whose plane c starts at
    /// `map + c · channelStride`, into `out` (``dimension(channels:)`` floats), L2-normalised.
    ///
    /// - Returns: the largest attention weight (0 for `average` and `stripes`).
    func pool(
        map: UnsafePointer<Float>, channelStride: Int, channels: Int, height: Int, width: Int,
        into out: UnsafeMutablePointer<Float>, weights: UnsafeMutablePointer<Float>
    ) -> Float {
        let plane = height * width
        switch self {
        case .average:
            for c in 0..<channels {
                out[c] = Pooling.dot(map + c * channelStride, nil, count: plane) / Float(plane)
            }
            Pooling.normalize(out, count: channels)
            return 0
        case .softmax, .normalized:
            // weights[i] = Σ_c X(c, i), turned in place into the attention map.
            weights.update(repeating: 0, count: plane)
            for c in 0..<channels {
                let src = map + c * channelStride
                for i in 0..<plane { weights[i] += src[i] }
            }
            var peak: Float = 0
            if self == .softmax {
                var top = -Float.infinity
                for i in 0..<plane { top = max(top, weights[i]) }
                // Weights below Float's smallest normal number are taken as 0: a collapsed attention
                // (PFSA.md) leaves positions 87 to 104 below the top, whose weights were subnormal, and
                // every product with a subnormal took a microcode assist. Each weighs less than 1.2e-38,
                // so the embedding moves by less than that times the map's largest value.
                var total: Float = 0
                for i in 0..<plane {
                    let e = Foundation.exp(weights[i] - top)
                    weights[i] = e < Float.leastNormalMagnitude ? 0 : e
                    total += weights[i]
                }
                for i in 0..<plane {
                    let a = weights[i] / total
                    weights[i] = a < Float.leastNormalMagnitude ? 0 : a
                }
            } else {
                // mean over channels, then divided by its sum: the 1/C cancels, so Σ_c X / Σ Σ_c X.
                // The map is post-ReLU, so the total is ≥ 0; an all-zero map would be 0/0 (NaN) in the
                // official code; here it falls back to uniform weights.
                var total: Float = 0
                for i in 0..<plane { total += weights[i] }
                for i in 0..<plane { weights[i] = total > 0 ? weights[i] / total : 1 / Float(plane) }
            }
            for i in 0..<plane { peak = max(peak, weights[i]) }
            for c in 0..<channels {
                out[c] = Pooling.dot(map + c * channelStride, weights, count: plane) / Float(plane)
            }
            Pooling.normalize(out, count: channels)
            return peak
        case .stripes:
            precondition(height >= Pooling.stripeCount, "stripes pooling needs a map at least 6 rows high, got \(height)")
            let (k, s) = Pooling.stripeGeometry(height: height)
            let area = Float(k * width)
            // Each row's sum once, then each stripe's rows: at h = 16 the 6-row stripes start 2 rows apart,
            // and one long chain of adds per stripe took a ResNet-50 batch of 8 about 2 ms.
            let rows = weights + Pooling.stripeCount * channels
            for c in 0..<channels {
                let src = map + c * channelStride
                for r in 0..<height { rows[r] = Pooling.dot(src + r * width, nil, count: width) }
                for p in 0..<Pooling.stripeCount {
                    var sum: Float = 0
                    for r in (p * s)..<(p * s + k) { sum += rows[r] }
                    weights[p * channels + c] = sum / area
                }
            }
            for p in 0..<Pooling.stripeCount { Pooling.normalize(weights + p * channels, count: channels) }
            for c in 0..<channels {
                for p in 0..<Pooling.stripeCount { out[c * Pooling.stripeCount + p] = weights[p * channels + c] }
            }
            return 0
        }
    }

    /// Scratch floats ``pool`` needs for one image.
    static func scratchCount(channels: Int, height: Int, width: Int) -> Int {
        max(height * width, stripeCount * channels + height)
    }

    /// Σ x[i]·w[i] (Σ x[i] when `w` is nil) over `count` values, in four interleaved partial sums, so
    /// the adds do not wait on one another.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>?, count: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
        var i = 0
        if let w {
            while i + 4 <= count {
                s0 += x[i] * w[i]; s1 += x[i + 1] * w[i + 1]; s2 += x[i + 2] * w[i + 2]; s3 += x[i + 3] * w[i + 3]
                i += 4
            }
            while i < count { s0 += x[i] * w[i]; i += 1 }
        } else {
            while i + 4 <= count {
                s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]
                i += 4
            }
            while i < count { s0 += x[i]; i += 1 }
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// Divides `count` values by their Euclidean norm (left as they are when the norm is 0).
    static func normalize(_ v: UnsafeMutablePointer<Float>, count: Int) {
        var sum: Double = 0
        for i in 0..<count { sum += Double(v[i]) * Double(v[i]) }
        guard sum > 0 else { return }
        let scale = Float(1 / sum.squareRoot())
        for i in 0..<count { v[i] *= scale }
    }
}
