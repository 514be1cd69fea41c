import Foundation

/// k-reciprocal re-ranking (Zhong et al., CVPR 2017) computed as their published
/// `re_ranking(q_g_dist, q_q_dist, g_g_dist, k1, k2, lambda_value)` computes it, in Float64 with
/// Python 3 semantics.
///
/// The function's steps, kept here one for one: the query+gallery matrix is squared (it squares the
/// squared-Euclidean distances it is given, as torchreid's use of it does) and each column divided by
/// its maximum; every item's k1+1 nearest neighbours give its k-reciprocal set, expanded by each member's
/// round(k1/2)+1 reciprocal set when more than 2/3 of that set is already in it; the set's weights
/// exp(−d) normalised to sum 1 form the row of V; V is averaged over each item's k2 nearest neighbours
/// (query expansion); the Jaccard distance between a query's row and every item's row is
/// 1 − Σmin/(2 − Σmin); the result is (1 − λ)·Jaccard + λ·d on the query × gallery block.
///
/// Memory: where the published function holds several dense N×N arrays (N = query + gallery; 3 GB each
/// in Float64 at Market-1501's 19,281 images), this keeps the N×N Float32 input, the first
/// max(k1+1, k2) columns of the ranking, and V as sparse rows; the result comes out one query row at
/// a time. Ties in the ranking are broken by index (a stable argsort); numpy's default sort leaves
/// their order unspecified, which only matters for exactly equal distances.
public struct KReciprocalReRanking: Sendable, Equatable {
    /// Size of the neighbourhood whose reciprocal members are kept (paper: 20).
    public var k1: Int
    /// Neighbours averaged in query expansion (paper: 6); 1 turns expansion off.
    public var k2: Int
    /// Weight of the original distance in the result (paper: 0.3).
    public var lambda: Double

    /// The paper's parameters by default: k1 = 20, k2 = 6, λ = 0.3.
    public init(k1: Int = 20, k2: Int = 6, lambda: Double = 0.3) {
        precondition(k1 >= 1 && k2 >= 1, "k1 and k2 must be at least 1")
        self.k1 = k1
        self.k2 = k2
        self.lambda = lambda
    }

    /// One sparse row of V: ascending column indices and their weights.
    struct SparseRow {
        var columns: [Int32] = []
        var weights: [Double] = []
    }

    /// Re-ranks: `distances` holds the query items first (`queryCount` of them), then the gallery.
    /// `body` receives each query's re-ranked distances to the gallery, in query order.
    public func rerank(
        _ distances: SymmetricDistanceMatrix, queryCount: Int,
        body: (_ query: Int, _ galleryDistances: UnsafeBufferPointer<Double>) throws -> Void
    ) rethrows {
        let n = distances.count
        precondition(queryCount > 0 && queryCount < n, "need queries and a gallery: \(queryCount) of \(n)")
        let kForward = k1 + 1
        // np.around rounds half to even.
        let kHalf = Int((Double(k1) / 2).rounded(.toNearestOrEven)) + 1
        let kRank = min(n, max(kForward, k2, kHalf))

        // Step 1: per row, the maximum of the squared values (the column maximum of the symmetric
        // matrix) and the first kRank entries of the stable argsort of row / maximum.
        var rowMax = [Double](repeating: 0, count: n)
        var ranking = [Int32](repeating: 0, count: n * kRank)
        distances.values.withUnsafeBufferPointer { dist in
            var normalized = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let row = UnsafeBufferPointer(rebasing: dist[i * n ..< (i + 1) * n])
                var m = 0.0
                for j in 0..<n {
                    let v = Double(row[j]) * Double(row[j])
                    normalized[j] = v
                    m = max(m, v)
                }
                rowMax[i] = m
                for j in 0..<n { normalized[j] = normalized[j] / m }
                let nearest = Self.smallest(normalized, count: kRank)
                for k in 0..<kRank { ranking[i * kRank + k] = nearest[k] }
            }
        }
        @inline(__always) func original(_ i: Int, _ j: Int) -> Double {
            let d = Double(distances.values[i * n + j])
            return (d * d) / rowMax[i]
        }
        @inline(__always) func neighbours(_ i: Int, _ k: Int) -> ArraySlice<Int32> {
            ranking[(i * kRank) ..< (i * kRank + min(k, kRank))]
        }
        func reciprocal(_ i: Int, _ k: Int) -> [Int32] {
            neighbours(i, k).filter { neighbours(Int($0), k).contains(Int32(i)) }
        }

        // Step 2: V, one sparse row per item.
        var v = [SparseRow](repeating: SparseRow(), count: n)
        for i in 0..<n {
            let kr = reciprocal(i, kForward)
            var expansion = kr
            for candidate in kr {
                let ckr = reciprocal(Int(candidate), kHalf)
                let shared = ckr.reduce(0) { $0 + (kr.contains($1) ? 1 : 0) }
                if Double(shared) > 2.0 / 3.0 * Double(ckr.count) {
                    expansion.append(contentsOf: ckr)
                }
            }
            let columns = Array(Set(expansion)).sorted()
            let weights = columns.map { exp(-original(i, Int($0))) }
            var total = 0.0
            for w in weights { total += w }
            v[i] = SparseRow(columns: columns, weights: weights.map { $0 / total })
        }

        // Step 3: query expansion, mean of the k2 nearest items' rows.
        if k2 != 1 {
            var dense = [Double](repeating: 0, count: n)
            var touched = [Bool](repeating: false, count: n)
            var expanded = [SparseRow](repeating: SparseRow(), count: n)
            for i in 0..<n {
                var cols: [Int32] = []
                for nb in neighbours(i, k2) {
                    let row = v[Int(nb)]
                    for (c, w) in zip(row.columns, row.weights) {
                        dense[Int(c)] += w
                        if !touched[Int(c)] { touched[Int(c)] = true; cols.append(c) }
                    }
                }
                cols.sort()
                let count = Double(min(k2, kRank))
                expanded[i] = SparseRow(columns: cols, weights: cols.map { dense[Int($0)] / count })
                for c in cols { dense[Int(c)] = 0; touched[Int(c)] = false }
            }
            v = expanded
        }

        // Step 4: inverted index, for each column the rows (ascending) where V is non-zero, with values.
        var columnStart = [Int](repeating: 0, count: n + 1)
        for row in v { for c in row.columns { columnStart[Int(c) + 1] += 1 } }
        for c in 0..<n { columnStart[c + 1] += columnStart[c] }
        var invRows = [Int32](repeating: 0, count: columnStart[n])
        var invWeights = [Double](repeating: 0, count: columnStart[n])
        var fill = columnStart
        for (r, row) in v.enumerated() {
            for (c, w) in zip(row.columns, row.weights) {
                invRows[fill[Int(c)]] = Int32(r)
                invWeights[fill[Int(c)]] = w
                fill[Int(c)] += 1
            }
        }

        // Step 5: Jaccard distance of each query to every item, blended with the original distance.
        let galleryCount = n - queryCount
        var tempMin = [Double](repeating: 0, count: n)
        var result = [Double](repeating: 0, count: galleryCount)
        for q in 0..<queryCount {
            for i in 0..<n { tempMin[i] = 0 }
            let row = v[q]
            for (c, w) in zip(row.columns, row.weights) {
                for e in columnStart[Int(c)] ..< columnStart[Int(c) + 1] {
                    tempMin[Int(invRows[e])] += min(w, invWeights[e])
                }
            }
            for g in 0..<galleryCount {
                let t = tempMin[queryCount + g]
                let jaccard = 1 - t / (2 - t)
                result[g] = jaccard * (1 - lambda) + original(q, queryCount + g) * lambda
            }
            try result.withUnsafeBufferPointer { try body(q, $0) }
        }
    }

    /// The indices of the `count` smallest values, ascending, ties by index.
    private static func smallest(_ values: [Double], count: Int) -> [Int32] {
        // Insertion into a short sorted buffer: count is ~21, rows are thousands long.
        var idx = [Int32](); idx.reserveCapacity(count + 1)
        var val = [Double](); val.reserveCapacity(count + 1)
        for (j, x) in values.enumerated() {
            if idx.count == count && !(x < val[count - 1]) { continue }
            var p = idx.count
            while p > 0 && x < val[p - 1] { p -= 1 }
            idx.insert(Int32(j), at: p)
            val.insert(x, at: p)
            if idx.count > count { idx.removeLast(); val.removeLast() }
        }
        return idx
    }
}
