import Foundation

/// A small, fast, seedable pseudo-random generator (Steele, Lea and Flood's SplitMix64).
///
/// Synthetic scenes must be byte-identical for the same seed on every machine and Swift version, so
/// Synth never uses `SystemRandomNumberGenerator`, and never `Double.random(in:using:)` either (its
/// algorithm is not a documented contract): every draw goes through the helpers below.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A uniform double in [`lower`, `upper`).
    public mutating func uniform(_ lower: Double, _ upper: Double) -> Double {
        lower + (upper - lower) * unit()
    }

    /// A uniform integer in 0..<`count` (Lemire's multiply-shift; the tiny bias is irrelevant here).
    public mutating func index(_ count: Int) -> Int {
        precondition(count > 0, "index(_:) needs a positive count")
        return Int((UInt64(count).multipliedFullWidth(by: next())).high)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// A standard normal draw (Box-Muller, one value per call).
    public mutating func gaussian() -> Double {
        let u1 = max(unit(), 1e-300)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// The elements of `items` in a random order (Fisher-Yates).
    public mutating func shuffled<T>(_ items: [T]) -> [T] {
        var out = items
        var i = out.count - 1
        while i > 0 {
            let j = index(i + 1)
            out.swapAt(i, j)
            i -= 1
        }
        return out
    }

    /// A new generator for an independent stream, so adding draws in one part of the scene never
    /// shifts the numbers another part sees.
    public mutating func fork(_ salt: UInt64) -> SplitMix64 {
        SplitMix64(seed: next() ^ (salt &* 0xD1B5_4A32_D192_ED03))
    }
}
