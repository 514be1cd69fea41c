import VideoIO

/// Turns person crops into appearance embeddings for the tracking driver.
///
/// The measured benchmark uses `TrackNetworkEmbedder` (the PFSA network); other conformers exist only
/// to test the driver's plumbing.
/// - Note: Not required to be `Sendable`: the driver calls one embedder from one task.
public protocol TrackCropEmbedder {
    /// A short name for reports (the model's name).
    var name: String { get }
    /// Values per embedding.
    var dimension: Int { get }
    /// One embedding per crop, in order.
    func embed(_ crops: [FrameRegion]) throws -> [[Float]]
}
