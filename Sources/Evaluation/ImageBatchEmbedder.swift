import Foundation

/// Turns image files into embeddings. The `panoptes eval` command supplies one that decodes with
/// VideoIO and runs a ReIDNet model; Evaluation itself never sees pixels.
public protocol ImageBatchEmbedder {
    /// Values per embedding.
    var dimension: Int { get }
    /// Embeds `images`: row-major `images.count × dimension` values, and per image the largest
    /// attention weight (0 when the pooling has no attention).
    func embed(_ images: [URL]) throws -> (values: [Float], attentionPeaks: [Float])
}
