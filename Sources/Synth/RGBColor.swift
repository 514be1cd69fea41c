import SeededRandom

/// A linear-ish RGB colour with channels in 0...1, as the renderer mixes and lights it.
public struct RGBColor: Sendable, Equatable, Codable {
    /// Red, 0...1.
    public var r: Float
    /// Green, 0...1.
    public var g: Float
    /// Blue, 0...1.
    public var b: Float

    /// A colour from three channels in 0...1.
    public init(_ r: Float, _ g: Float, _ b: Float) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// The colour scaled channel by channel.
    public func scaled(_ s: Float) -> RGBColor { RGBColor(r * s, g * s, b * s) }

    /// The colour mixed with `other`, `t` = 0 giving `self` and 1 giving `other`.
    public func mixed(with other: RGBColor, _ t: Float) -> RGBColor {
        RGBColor(r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t)
    }

    /// The colour with each channel moved by up to `amount` at random, kept in 0...1.
    func perturbed(_ amount: Double, _ rng: inout SplitMix64) -> RGBColor {
        func p(_ v: Float, _ rng: inout SplitMix64) -> Float {
            min(1, max(0, v + Float(rng.uniform(-amount, amount))))
        }
        return RGBColor(p(r, &rng), p(g, &rng), p(b, &rng))
    }
}
