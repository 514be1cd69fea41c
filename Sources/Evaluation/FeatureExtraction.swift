import Foundation

/// A data set's features: from the cache when its key matches, else embedded in batches and stored.
public struct FeatureExtraction {
    /// Images per call to the embedder.
    public var batchSize: Int

    /// Batches of `batchSize` images (16 by default).
    public init(batchSize: Int = 16) {
        precondition(batchSize >= 1)
        self.batchSize = batchSize
    }

    /// The image list a cache key records: paths relative to the data set folder, query then gallery.
    public static func imageList(of dataset: ReIDDataset) -> [String] {
        dataset.query.map { "\(ReIDDataset.queryFolder)/\($0.url.lastPathComponent)" }
            + dataset.gallery.map { "\(ReIDDataset.galleryFolder)/\($0.url.lastPathComponent)" }
    }

    /// Features of `dataset` under `key`.
    ///
    /// - Parameters:
    ///   - cache: where to look first and store after embedding; nil to always embed.
    ///   - progress: called after each batch with (images done, images in all).
    /// - Returns: the features and whether they came from the cache.
    public func features(
        of dataset: ReIDDataset, key: FeatureCacheKey, cache: FeatureCache?, embedder: some ImageBatchEmbedder,
        progress: (Int, Int) -> Void = { _, _ in }
    ) throws -> (entry: FeatureCache.Entry, cached: Bool) {
        precondition(key.images == Self.imageList(of: dataset), "the key must record this data set's image list")
        if let cache, let entry = try cache.load(key) { return (entry, true) }
        let urls = dataset.query.map(\.url) + dataset.gallery.map(\.url)
        let d = embedder.dimension
        var values: [Float] = []
        values.reserveCapacity(urls.count * d)
        var peaks: [Float] = []
        peaks.reserveCapacity(urls.count)
        for start in stride(from: 0, to: urls.count, by: batchSize) {
            let batch = Array(urls[start..<min(start + batchSize, urls.count)])
            let (v, p) = try embedder.embed(batch)
            guard v.count == batch.count * d, p.count == batch.count else {
                throw EvaluationError(.shapeMismatch("the embedder returned \(v.count) values and \(p.count) peaks for \(batch.count) images of \(d) values"))
            }
            values.append(contentsOf: v)
            peaks.append(contentsOf: p)
            progress(start + batch.count, urls.count)
        }
        let q = dataset.query.count * d
        let entry = FeatureCache.Entry(
            key: key,
            query: FeatureMatrix(count: dataset.query.count, dimension: d, values: Array(values[0..<q])),
            gallery: FeatureMatrix(count: dataset.gallery.count, dimension: d, values: Array(values[q...])),
            attentionPeaks: peaks)
        if let cache { try cache.store(entry) }
        return (entry, false)
    }
}
