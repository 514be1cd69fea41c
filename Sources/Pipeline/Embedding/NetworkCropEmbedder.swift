import Foundation
import ReIDNet
import VideoIO

/// The one embedding path: crops → ReIDNet's `CropPreprocessor` (Pillow's bilinear resize, ImageNet
/// normalisation, as the official code) → a `ReIDModel` → L2-normalised embeddings.
///
/// - Note: Owns a `ReIDModel`, which is neither thread-safe nor `Sendable`: one embedder per task.
///   The input buffer is sized by the largest call and reused.
public final class NetworkCropEmbedder: CropEmbedder {
    /// The architecture's name.
    public let name: String
    /// Values per embedding.
    public var dimension: Int { model.dimension }
    /// The network.
    public let model: ReIDModel
    /// Images run through the network together.
    public let maxBatch: Int
    private let preprocessor: CropPreprocessor
    private var input: [Float] = []

    /// Wraps a built model.
    public init(model: ReIDModel, maxBatch: Int = 16) {
        self.model = model
        self.maxBatch = max(1, maxBatch)
        preprocessor = CropPreprocessor(height: model.inputSize.height, width: model.inputSize.width)
        name = model.architecture.rawValue
    }

    /// Loads `weights` into `architecture`; the checkpoint is let go tensor by tensor as the network is built.
    ///
    /// - Throws: `WeightsError` for an unreadable or malformed file, `ModelError` for a missing or
    ///   mis-shaped tensor (naming the key and both shapes) or an input size the network cannot take.
    public convenience init(
        architecture: Architecture, weights: URL, inputSize: (height: Int, width: Int)? = nil,
        pooling: Pooling? = nil, maxBatch: Int = 16
    ) throws {
        let model = try ReIDModel(architecture: architecture, weights: try WeightsLoader.load(weights),
                                  inputSize: inputSize, pooling: pooling)
        self.init(model: model, maxBatch: maxBatch)
    }

    /// Makes room ahead for batches of up to `batch` crops (at most ``maxBatch``): the input buffer and the
    /// model's workspace, their pages mapped now (``ProcessMemory``) rather than one by one in the first
    /// batch.
    public func reserve(batch: Int) {
        let images = min(max(1, batch), maxBatch)
        sizeInput(images * preprocessor.inputCount)
        model.reserveWorkspace(batch: images)
    }

    /// Makes `input` hold `count` floats. Sized, not cleared: `prepare` writes every value of every image
    /// (a batch with an image it could not prepare throws). Zeroing it (6 MB a batch of 16 MobileNetV2
    /// crops) ran on the calling thread while the other compute thread waited: `embed` of 96 crops took
    /// 2-3% less time without (alternating whole processes, 60 turns each). Past its capacity it is made
    /// anew, its pages mapped in one call (``ProcessMemory/prefault(_:)``).
    private func sizeInput(_ count: Int) {
        if input.count > count {
            input.removeLast(input.count - count)
        } else if count <= input.capacity {
            input.append(contentsOf: repeatElement(0, count: count - input.count))
        } else {
            input = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                ProcessMemory.prefault(UnsafeMutableRawBufferPointer(buffer))
                buffer.initialize(repeating: 0)
                initialized = count
            }
        }
    }

    /// One embedding per crop, in order.
    public func embed(_ crops: [FrameRegion]) throws -> Embeddings {
        sizeInput(crops.count * preprocessor.inputCount)
        try input.withUnsafeMutableBufferPointer { input in
            try preprocessor.prepare(count: crops.count, into: input.baseAddress!) { i, write in
                try crops[i].withUnsafePixels { base, width, height, rowStride in
                    try write(base, width, height, rowStride, nil)
                }
            }
        }
        return try model.embed(input, count: crops.count, maxBatch: maxBatch)
    }
}
