/// Distances between every pair of `count` items (query items first, then gallery), exactly symmetric,
/// row-major Float32. The input of k-reciprocal re-ranking.
public struct SymmetricDistanceMatrix: Sendable {
    /// Number of items (rows and columns).
    public let count: Int
    /// `count × count` values.
    public let values: [Float]

    /// Wraps `values` (row-major `count × count`, symmetric).
    public init(count: Int, values: [Float]) {
        precondition(values.count == count * count, "\(values.count) values for \(count)×\(count)")
        self.count = count
        self.values = values
    }

    /// The distance between items `i` and `j`.
    public subscript(i: Int, j: Int) -> Float { values[i * count + j] }
}
