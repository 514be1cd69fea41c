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
    private var matchKeys: [(Double, Int32)] = []
    private var before: [Int] = []

    /// An empty accumulator over `galleryLabels`, keeping CMC up to `maxRank`.
    public init(galleryLabels: [PersonLabel], maxRank: Int = 50) {
        precondition(maxRank >= 1)
        self.galleryLabels = galleryLabels
        self.maxRank = maxRank
        self.hits = [Int](repeating: 0, count: maxRank)
    }

    /// Scores one query from its Float32 distances to every gallery image (gallery order).
    public mutating func add(query: PersonLabel, distances: UnsafeBufferPointer<Float>) {
        addSpecialized(query: query, distances: distances)
    }

    /// Scores one query from its Float64 distances to every gallery image (gallery order).
    public mutating func add(query: PersonLabel, distances: UnsafeBufferPointer<Double>) {
        addSpecialized(query: query, distances: distances)
    }

    // Internal and generic so each public entry point gets its own specialised copy (a public generic
    // called from another module would run unspecialised, several times slower).
    private mutating func addSpecialized<T: BinaryFloatingPoint>(query: PersonLabel, distances: UnsafeBufferPointer<T>) {
        precondition(distances.count == galleryLabels.count, "\(distances.count) distances for \(galleryLabels.count) gallery images")
        // No full sort: only the true matches' ranks matter. Sort the matches by (distance, gallery
        // index) — the stable ranking's key — then count, for each, the kept gallery images whose key
        // is smaller: O(G log M) per query instead of O(G log G).
        matchKeys.removeAll(keepingCapacity: true)
        if !query.isDistractor {
            for (j, label) in galleryLabels.enumerated()
            where label.personID == query.personID && label.camera != query.camera {
                matchKeys.append((Double(distances[j]), Int32(j)))
            }
        }
        guard !matchKeys.isEmpty else {
            skipped += 1
            return
        }
        matchKeys.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        // before[t]: kept images ranked ahead of match t (built as a difference array).
        before.removeAll(keepingCapacity: true)
        before.append(contentsOf: repeatElement(0, count: matchKeys.count + 1))
        for (j, label) in galleryLabels.enumerated() {
            if label.personID == query.personID && label.camera == query.camera { continue }
            let key = (Double(distances[j]), Int32(j))
            // First match whose key is greater than this image's: it and all after it rank below it.
            var lo = 0, hi = matchKeys.count
            while lo < hi {
                let mid = (lo + hi) / 2
                let m = matchKeys[mid]
                if key.0 < m.0 || (key.0 == m.0 && key.1 < m.1) { hi = mid } else { lo = mid + 1 }
            }
            before[lo] += 1
        }
        var ahead = 0
        var precisionSum = 0.0
        for t in 0..<matchKeys.count {
            ahead += before[t]
            precisionSum += Double(t + 1) / Double(ahead + 1)
        }
        let firstMatch = before[0]
        evaluated += 1
        apSum += precisionSum / Double(matchKeys.count)
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
