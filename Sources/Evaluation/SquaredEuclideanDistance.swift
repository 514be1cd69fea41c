internal import LinearAlgebra

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
                GEMM.multiply(
                    m: rows.count, n: n, k: d,
                    a: q.baseAddress! + rows.lowerBound * d, lda: d, b: g.baseAddress!, ldb: d, transposeB: true,
                    c: output.baseAddress!, ldc: n)
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
        allPairs([features], tile: tile)
    }

    /// Distances between every pair of rows of the parts taken one after the other (query rows, then
    /// gallery rows), without copying them into one matrix.
    public static func allPairs(_ parts: [FeatureMatrix], tile: Int = 1024) -> SymmetricDistanceMatrix {
        precondition(tile >= 1 && !parts.isEmpty)
        let d = parts[0].dimension
        precondition(parts.allSatisfy { $0.dimension == d }, "all parts need the same dimension")
        let n = parts.reduce(0) { $0 + $1.count }
        // Tiles never straddle two parts, so each tile's rows are contiguous in one buffer.
        struct Tile { var part: Int; var localStart: Int; var globalStart: Int; var rows: Int }
        var tiles: [Tile] = []
        var offset = 0
        for (p, part) in parts.enumerated() {
            for s in stride(from: 0, to: part.count, by: tile) {
                tiles.append(Tile(part: p, localStart: s, globalStart: offset + s, rows: min(tile, part.count - s)))
            }
            offset += part.count
        }
        let norms = parts.flatMap { $0.squaredNorms() }
        var storage = [Float](repeating: 0, count: n * n)
        var scratch = [Float](repeating: 0, count: tile * tile)
        func withRows<R>(_ t: Tile, _ body: (UnsafePointer<Float>) -> R) -> R {
            parts[t.part].values.withUnsafeBufferPointer { body($0.baseAddress! + t.localStart * d) }
        }
        storage.withUnsafeMutableBufferPointer { out in
            scratch.withUnsafeMutableBufferPointer { s in
                for (a, ta) in tiles.enumerated() {
                    for tb in tiles[a...] {
                        withRows(ta) { pa in
                            withRows(tb) { pb in
                                GEMM.multiply(m: ta.rows, n: tb.rows, k: d, a: pa, lda: d, b: pb, ldb: d, transposeB: true,
                                              c: s.baseAddress!, ldc: tb.rows)
                            }
                        }
                        let diagonal = ta.globalStart == tb.globalStart
                        for r in 0..<ta.rows {
                            let i = ta.globalStart + r
                            // On a diagonal tile only the upper triangle (j ≥ i) is taken.
                            for c in (diagonal ? r : 0)..<tb.rows {
                                let j = tb.globalStart + c
                                let value = combine(norms[i], norms[j], s[r * tb.rows + c])
                                out[i * n + j] = value
                                out[j * n + i] = value
                            }
                        }
                    }
                }
            }
        }
        return SymmetricDistanceMatrix(count: n, values: storage)
    }
}
