import ReIDNet
import VideoIO

/// Turns person crops into appearance embeddings: the one embedder protocol behind `run`, `embed`,
/// `eval` and the benchmarks.
///
/// - Note: Not `Sendable`: a conformer owns a network and its buffers; one task (the embedder stage)
///   uses it at a time.
public protocol CropEmbedder: AnyObject {
    /// A short name for reports (the model's name).
    var name: String { get }
    /// Values per embedding.
    var dimension: Int { get }
    /// One L2-normalised embedding per crop, in order, and per crop the largest attention weight
    /// (0 when the pooling has no attention). The result does not depend on the other crops in the call.
    func embed(_ crops: [FrameRegion]) throws -> Embeddings
}
