/// Scores queries one distance row at a time: CMC with first-match counting and average precision.
///
/// The protocol (PFSA.md, "Evaluation protocol"): gallery images with the query's person id **and**
/// camera are removed; a true match has the query's person id (never a distractor, id 0); the
/// ranking is ascending distance with ties broken by gallery order (a stable sort); AP is the mean of
/// the precision at each true match's rank; queries with no valid match are skipped.
///
/// - Note: one accumulator per evaluation; not shared across threads.
public struct RankingAccumulator: Sendable {
    /// Labels of the gallery, in gallery order.
    public let galleryLabels: [PersonLabel]
    /// The highest CMC rank kept.
    public let maxRank: Int

    private var hits: [Int]
    private var apSum = 0.0
    private var evaluated = 0
    private var skipped = 0
    private var order: [Int32]

    /// An empty accumulator over `galleryLabels`, keeping CMC up to `maxRank`.
    public init(galleryLabels: [PersonLabel], maxRank: Int = 50) {
        precondition(maxRank >= 1)
        self.galleryLabels = galleryLabels
        self.maxRank = maxRank
        self.hits = [Int](repeating: 0, count: maxRank)
        self.order = Array(0..<Int32(galleryLabels.count))
    }

    /// Scores one query from its distances to every gallery image (gallery order).
    public mutating func add<T: BinaryFloatingPoint>(query: PersonLabel, distances: UnsafeBufferPointer<T>) {
        precondition(distances.count == galleryLabels.count, "\(distances.count) distances for \(galleryLabels.count) gallery images")
        for i in order.indices { order[i] = Int32(i) }
        // Stable: ties keep gallery order because the index is the second key.
        order.sort { a, b in
            let da = distances[Int(a)], db = distances[Int(b)]
            return da < db || (da == db && a < b)
        }
        var rank = 0  // position among kept gallery images
        var matches = 0
        var precisionSum = 0.0
        var firstMatch = -1
        for g in order {
            let label = galleryLabels[Int(g)]
            if label.personID == query.personID && label.camera == query.camera { continue }
            if label.personID == query.personID && !query.isDistractor {
                matches += 1
                precisionSum += Double(matches) / Double(rank + 1)
                if firstMatch < 0 { firstMatch = rank }
            }
            rank += 1
        }
        guard matches > 0 else {
            skipped += 1
            return
        }
        evaluated += 1
        apSum += precisionSum / Double(matches)
        if firstMatch < maxRank {
            for k in firstMatch..<maxRank { hits[k] += 1 }
        }
    }

    /// The scores so far (all zero when no query was scored).
    public var scores: RetrievalScores {
        let n = Double(max(evaluated, 1))
        return RetrievalScores(
            cmc: hits.map { Double($0) / n }, meanAveragePrecision: apSum / n,
            evaluatedQueries: evaluated, skippedQueries: skipped)
    }
}
