import TestSupport
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
        var rng = SeededGenerator(seed: seed)
        let centres = (0...people).map { _ in (0..<dimension).map { _ in Float(rng.gaussian()) } }
        func sample(_ n: Int, distractors: Bool) -> (FeatureMatrix, [PersonLabel]) {
            var values: [Float] = []
            var labels: [PersonLabel] = []
            for _ in 0..<n {
                let pid = distractors && rng.unit() < distractorShare ? 0 : 1 + Int(rng.next() % UInt64(people))
                let cam = 1 + Int(rng.next() % UInt64(cameras))
                labels.append(PersonLabel(personID: pid, camera: cam))
                for c in centres[pid] {
                    var x = c + noise * Float(rng.gaussian())
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

