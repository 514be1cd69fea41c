/// Squared Euclidean distances between feature rows, ‖q‖² + ‖g‖² − 2·q·g, with the dot products from
/// `cblas_sgemm` and the norms in Float64; results below zero (rounding) are clamped to 0.
///
/// Memory is bounded by the caller's block: `queryGalleryBlock` fills `rows × gallery.count` values, so
/// a Market-1501 evaluation (3,368 × 15,913 at 12288-d) never holds the whole matrix.
public struct SquaredEuclideanDistance: Sendable {
    /// The gallery side: its features and their squared norms, computed once.
    public let gallery: FeatureMatrix
    private let galleryNorms: [Double]

    /// Prepares distances to `gallery`.
    public init(gallery: FeatureMatrix) {
        self.gallery = gallery
        self.galleryNorms = gallery.squaredNorms()
    }

    /// Fills `output` (row-major, `rows.count × gallery.count`) with the distances from query rows
    /// `rows` of `queries` to every gallery row.
    ///
    /// - Note: `queryNorms` are `queries.squaredNorms()`, passed in so they are computed once per run.
    public func queryGalleryBlock(
        queries: FeatureMatrix, queryNorms: [Double], rows: Range<Int>, into output: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(queries.dimension == gallery.dimension, "query \(queries.dimension)-d vs gallery \(gallery.dimension)-d")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= queries.count && !rows.isEmpty)
        let n = gallery.count, d = gallery.dimension
        precondition(output.count >= rows.count * n, "output holds \(output.count) < \(rows.count)×\(n)")
        queries.values.withUnsafeBufferPointer { q in
            gallery.values.withUnsafeBufferPointer { g in
                BLAS.gemmABt(
                    m: rows.count, n: n, k: d, alpha: 1,
                    a: q.baseAddress! + rows.lowerBound * d, b: g.baseAddress!,
                    beta: 0, c: output.baseAddress!, ldc: n)
            }
        }
        galleryNorms.withUnsafeBufferPointer { gn in
            for (r, i) in rows.enumerated() {
                let qn = queryNorms[i]
                let base = r * n
                for j in 0..<n {
                    output[base + j] = Self.combine(qn, gn[j], output[base + j])
                }
            }
        }
    }

    /// `max(0, a + b − 2·dot)`, the one formula every path uses (so both triangles of a symmetric
    /// matrix agree bit for bit).
    @inline(__always)
    static func combine(_ a: Double, _ b: Double, _ dot: Float) -> Float {
        Float(max(0, (a + b) - 2 * Double(dot)))
    }

    /// Distances between every pair of rows of `features`, exactly symmetric: each tile above the
    /// diagonal is computed once with sgemm and mirrored. Holds `count²` Float32 values (1.5 GB for
    /// Market-1501's 19,281 images); re-ranking needs every pair, the plain protocol does not.
    public static func allPairs(_ features: FeatureMatrix, tile: Int = 1024) -> SymmetricDistanceMatrix {
        let n = features.count, d = features.dimension
        let norms = features.squaredNorms()
        var storage = [Float](repeating: 0, count: n * n)
        var scratch = [Float](repeating: 0, count: tile * tile)
        storage.withUnsafeMutableBufferPointer { out in
            features.values.withUnsafeBufferPointer { f in
                scratch.withUnsafeMutableBufferPointer { s in
                    for i0 in stride(from: 0, to: n, by: tile) {
                        let rows = min(tile, n - i0)
                        for j0 in stride(from: i0, to: n, by: tile) {
                            let cols = min(tile, n - j0)
                            BLAS.gemmABt(
                                m: rows, n: cols, k: d, a: f.baseAddress! + i0 * d, b: f.baseAddress! + j0 * d,
                                c: s.baseAddress!, ldc: cols)
                            for r in 0..<rows {
                                let i = i0 + r
                                // On a diagonal tile only the upper triangle (j ≥ i) is taken.
                                let cStart = j0 == i0 ? r : 0
                                for c in cStart..<cols {
                                    let j = j0 + c
                                    let value = combine(norms[i], norms[j], s[r * cols + c])
                                    out[i * n + j] = value
                                    out[j * n + i] = value
                                }
                            }
                        }
                    }
                }
            }
        }
        return SymmetricDistanceMatrix(count: n, values: storage)
    }
}
