/// The re-identification protocol on features: distances, optional k-reciprocal re-ranking, CMC and mAP.
///
/// Without re-ranking, distances are computed `queryBlock` query rows at a time and each block is
/// ranked and scored before the next, so memory is `queryBlock × gallery` Float32 values whatever the
/// data set size. With re-ranking, the query+gallery pair matrix is needed (see `KReciprocalReRanking`).
public struct RetrievalEvaluator: Sendable {
    /// Re-ranking to apply, or nil for plain squared-Euclidean ranking.
    public var reRanking: KReciprocalReRanking?
    /// Query rows per distance block (memory `queryBlock × gallery.count × 4` bytes).
    public var queryBlock: Int
    /// Highest CMC rank reported.
    public var maxRank: Int

    /// Plain ranking, blocks of 256 queries, CMC to rank 50 unless said otherwise.
    public init(reRanking: KReciprocalReRanking? = nil, queryBlock: Int = 256, maxRank: Int = 50) {
        precondition(queryBlock >= 1 && maxRank >= 1)
        self.reRanking = reRanking
        self.queryBlock = queryBlock
        self.maxRank = maxRank
    }

    /// Scores `query` against `gallery`.
    ///
    /// - Throws: `EvaluationError.shapeMismatch` when labels and features disagree.
    public func evaluate(
        query: FeatureMatrix, queryLabels: [PersonLabel], gallery: FeatureMatrix, galleryLabels: [PersonLabel]
    ) throws -> RetrievalScores {
        guard query.count == queryLabels.count, gallery.count == galleryLabels.count else {
            throw EvaluationError(.shapeMismatch(
                "\(query.count) query features for \(queryLabels.count) labels, "
                    + "\(gallery.count) gallery features for \(galleryLabels.count) labels"))
        }
        guard query.dimension == gallery.dimension else {
            throw EvaluationError(.shapeMismatch("query features are \(query.dimension)-d, gallery \(gallery.dimension)-d"))
        }
        guard query.count > 0, gallery.count > 0 else {
            throw EvaluationError(.shapeMismatch("\(query.count) queries and \(gallery.count) gallery images; both must be non-empty"))
        }
        var accumulator = RankingAccumulator(galleryLabels: galleryLabels, maxRank: maxRank)
        if let reRanking {
            let pairs = SquaredEuclideanDistance.allPairs([query, gallery])
            reRanking.rerank(pairs, queryCount: query.count) { q, row in
                accumulator.add(query: queryLabels[q], distances: row)
            }
            return accumulator.scores
        }
        let distance = SquaredEuclideanDistance(gallery: gallery)
        let queryNorms = query.squaredNorms()
        var block = [Float](repeating: 0, count: min(queryBlock, query.count) * gallery.count)
        for start in stride(from: 0, to: query.count, by: queryBlock) {
            let rows = start ..< min(start + queryBlock, query.count)
            block.withUnsafeMutableBufferPointer { out in
                distance.queryGalleryBlock(queries: query, queryNorms: queryNorms, rows: rows, into: out)
                for (r, q) in rows.enumerated() {
                    let row = UnsafeBufferPointer(rebasing: out[r * gallery.count ..< (r + 1) * gallery.count])
                    accumulator.add(query: queryLabels[q], distances: row)
                }
            }
        }
        return accumulator.scores
    }
}
