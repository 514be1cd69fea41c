/// Online centring of appearance embeddings: each embedding is L2-normalised, added to a running mean
/// of every embedding seen so far in this run (itself included), and returned as the normalised
/// difference from that mean.
///
/// Why: features of a network trained on ImageNet classes share a large common component, so the
/// cosine similarity of any two people crowds near 1 (on the default synthetic scene with PFSA
/// MobileNetV2: same person 0.96 ± 0.02, different people 0.87 ± 0.035). Taking the run's mean out
/// leaves the part that tells people apart and spreads the similarities over [-1, 1]; the tracker's and
/// the registry's cosine thresholds then mean something else and are tuned for centred embeddings.
///
/// It is causal (uses only what came before and the embedding itself) and needs no ground truth or
/// training. Use one value per scope, e.g. one per camera so each camera's own background and
/// lighting are taken out too. The first `warmup` embeddings are returned normalised but not centred,
/// since a mean over fewer is mostly the embeddings themselves.
/// - Note: A value type; memory is one running sum of the embedding's dimension.
public struct EmbeddingCentering: Sendable, Equatable {
    /// Embeddings seen before centring starts. Default 20.
    public let warmup: Int
    private var sum: [Double] = []
    /// Embeddings seen so far.
    public private(set) var count = 0

    /// A centring with no embeddings seen.
    public init(warmup: Int = 20) {
        precondition(warmup >= 1, "EmbeddingCentering.warmup must be at least 1")
        self.warmup = warmup
    }

    /// The running mean of the normalised embeddings seen so far (empty before the first).
    public var mean: [Float] {
        guard count > 0 else { return [] }
        return sum.map { Float($0 / Double(count)) }
    }

    /// Adds `embedding` to the running mean and returns it centred and L2-normalised. An empty
    /// embedding is returned unchanged and not counted.
    ///
    /// - Throws: `TrackingError.embeddingDimension` when its length differs from the first one's.
    public mutating func center(_ embedding: [Float]) throws -> [Float] {
        guard !embedding.isEmpty else { return embedding }
        if sum.isEmpty { sum = [Double](repeating: 0, count: embedding.count) }
        guard embedding.count == sum.count else {
            throw TrackingError.embeddingDimension(expected: sum.count, got: embedding.count)
        }
        var unit = embedding
        CameraTracker.normalise(&unit)
        for i in unit.indices { sum[i] += Double(unit[i]) }
        count += 1
        guard count > warmup else { return unit }
        let n = Double(count)
        var centred = [Float](repeating: 0, count: unit.count)
        for i in unit.indices { centred[i] = Float(Double(unit[i]) - sum[i] / n) }
        CameraTracker.normalise(&centred)
        return centred
    }
}
