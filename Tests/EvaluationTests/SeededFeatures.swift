import Evaluation
import Foundation

/// Seeded random features with random person ids and cameras, so parity tests are reproducible.
///
/// Each person has a random centre; each image is its centre plus noise, so rankings are neither
/// perfect nor random. `quantum` > 0 rounds every value to a multiple of it (exact distance ties).
struct SeededFeatures {
    var query: FeatureMatrix
    var queryLabels: [PersonLabel]
    var gallery: FeatureMatrix
    var galleryLabels: [PersonLabel]

    init(seed: UInt64, queries: Int, gallery: Int, dimension: Int, people: Int, cameras: Int = 6,
         noise: Float = 0.8, distractorShare: Double = 0.1, quantum: Float = 0) {
        var rng = SplitMix64(seed: seed)
        let centres = (0...people).map { _ in (0..<dimension).map { _ in rng.gaussian() } }
        func sample(_ n: Int, distractors: Bool) -> (FeatureMatrix, [PersonLabel]) {
            var values: [Float] = []
            var labels: [PersonLabel] = []
            for _ in 0..<n {
                let pid = distractors && rng.unit() < distractorShare ? 0 : 1 + Int(rng.next() % UInt64(people))
                let cam = 1 + Int(rng.next() % UInt64(cameras))
                labels.append(PersonLabel(personID: pid, camera: cam))
                for c in centres[pid] {
                    var x = c + noise * rng.gaussian()
                    if quantum > 0 { x = (x / quantum).rounded() * quantum }
                    values.append(x)
                }
            }
            return (FeatureMatrix(count: n, dimension: dimension, values: values), labels)
        }
        (self.query, self.queryLabels) = sample(queries, distractors: false)
        (self.gallery, self.galleryLabels) = sample(gallery, distractors: true)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, the same on every platform.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    /// Standard normal (Box–Muller).
    mutating func gaussian() -> Float {
        let u = max(unit(), 0x1p-53), v = unit()
        return Float((-2 * log(u)).squareRoot() * cos(2 * Double.pi * v))
    }
}

