/// Embeddings of a list of images: `count` rows of `dimension` Float32 values, row-major.
public struct FeatureMatrix: Sendable, Equatable {
    /// Number of rows (images).
    public let count: Int
    /// Values per row.
    public let dimension: Int
    /// `count × dimension` values, row `i` at `i·dimension ..< (i+1)·dimension`.
    public private(set) var values: [Float]

    /// Wraps `values` as `count` rows of `dimension` values.
    public init(count: Int, dimension: Int, values: [Float]) {
        precondition(count >= 0 && dimension > 0, "a feature matrix needs a positive dimension")
        precondition(values.count == count * dimension, "\(values.count) values for \(count)×\(dimension)")
        self.count = count
        self.dimension = dimension
        self.values = values
    }

    /// Row `i` as a fresh array.
    public func row(_ i: Int) -> [Float] {
        Array(values[i * dimension ..< (i + 1) * dimension])
    }

    /// Squared L2 norm of every row, accumulated in Float64.
    public func squaredNorms() -> [Double] {
        values.withUnsafeBufferPointer { v in
            (0..<count).map { i in
                var s = 0.0
                for x in v[i * dimension ..< (i + 1) * dimension] { s += Double(x) * Double(x) }
                return s
            }
        }
    }
}
