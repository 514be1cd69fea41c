/// The standard re-identification scores of one evaluation.
public struct RetrievalScores: Sendable, Equatable, Codable {
    /// CMC: `cmc[k-1]` is the fraction of evaluated queries whose first true match is within rank k.
    public var cmc: [Double]
    /// Mean average precision over evaluated queries.
    public var meanAveragePrecision: Double
    /// Queries that had at least one valid match and so were scored.
    public var evaluatedQueries: Int
    /// Queries skipped because no gallery image is a valid match.
    public var skippedQueries: Int

    /// Rank-k accuracy (k is 1-based).
    public func rank(_ k: Int) -> Double { cmc[k - 1] }
}
