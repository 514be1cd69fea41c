import Foundation
import SeededRandom

/// Turns ground truth into supplied detections the way a real detector errs: counted boxes are
/// missed with probability `missRate`, the rest jittered by `jitter` × their size (Gaussian, per
/// coordinate), and false positives appear on the background at `falsePositivesPerFrame` (Poisson).
/// One synthesizer per camera, with its own random stream, so cameras never disturb each other.
public struct DetectionSynthesizer: Sendable {
    private let config: SynthConfig
    private let view: CameraView
    private var rng: SplitMix64

    /// A synthesizer for camera `camera` of `plan`.
    public init(plan: ScenePlan, camera: Int) {
        config = plan.config
        view = plan.views[camera]
        var root = SplitMix64(seed: plan.config.seed ^ 0xDE7E_C7)
        rng = root.fork(UInt64(camera + 1))
    }

    /// The detections of one frame, given its ground truth (from `ScenePlan.groundTruth`).
    public mutating func detections(frame: Int, truth: [SceneBox]) -> [SceneBox] {
        var out: [SceneBox] = []
        for box in truth where box.confidence == 1 {
            if rng.chance(config.missRate) { continue }
            let sx = config.jitter * box.width, sy = config.jitter * box.height
            var det = box
            det.id = -1
            det.x += sx * rng.gaussian()
            det.y += sy * rng.gaussian()
            det.width = max(2, box.width + sx * rng.gaussian())
            det.height = max(4, box.height + sy * rng.gaussian())
            det.confidence = min(1, 0.35 + 0.6 * box.visibility * rng.uniform(0.8, 1.05))
            det.visibility = -1
            if let clipped = det.clipped(width: config.width, height: config.height) { out.append(clipped) }
        }
        for _ in 0..<poisson(config.falsePositivesPerFrame) {
            let depth = rng.uniform(0, 1)
            let h = view.personHeight(depth: depth, frameHeight: config.height) * rng.uniform(0.6, 1.1)
            let w = h * rng.uniform(0.3, 0.5)
            let foot = view.footY(depth: depth, frameHeight: config.height)
            let fp = SceneBox(
                frame: frame + 1, id: -1, x: rng.uniform(-0.2 * w, Double(config.width) - 0.8 * w), y: foot - h,
                width: w, height: h, confidence: rng.uniform(0.3, 0.7), visibility: -1)
            if let clipped = fp.clipped(width: config.width, height: config.height) { out.append(clipped) }
        }
        return out
    }

    /// A Poisson draw with mean `mean` (Knuth's product of uniforms; means here are small).
    private mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-mean)
        var k = 0
        var product = rng.unit()
        while product > limit {
            k += 1
            product *= rng.unit()
        }
        return k
    }
}
