/// Exact minimum-cost linear assignment (shortest augmenting paths, Jonker-Volgenant style, as in
/// Crouse 2016 and SciPy's `linear_sum_assignment`).
public enum LinearAssignment {
    /// One row paired with one column.
    public struct Pair: Sendable, Hashable {
        /// The row index.
        public var row: Int
        /// The column index.
        public var column: Int

        /// Pairs `row` with `column`.
        public init(row: Int, column: Int) {
            self.row = row
            self.column = column
        }
    }

    /// Solves the assignment problem on a row-major `rows` x `columns` cost matrix.
    ///
    /// Entries that are not finite (NaN, ±infinity) are forbidden pairs. Among the assignments that
    /// pair as many rows as possible through allowed entries, the result is one of least total cost;
    /// forbidden pairs never appear in it. This is py-motmetrics' rule (forbidden entries priced so
    /// high that any assignment avoiding one more of them is cheaper), so both pick the same cost.
    /// - Returns: the pairs, ordered by row.
    public static func solve(costs: [Double], rows: Int, columns: Int) -> [Pair] {
        precondition(rows >= 0 && columns >= 0 && costs.count == rows * columns, "cost matrix shape")
        if rows == 0 || columns == 0 { return [] }
        var largest = -Double.infinity
        var anyForbidden = false
        for value in costs {
            if value.isFinite { largest = max(largest, abs(value)) } else { anyForbidden = true }
        }
        if largest == -Double.infinity { return [] }
        var priced = costs
        if anyForbidden {
            let limit = 2 * Double(min(rows, columns)) * (largest + 1) + 1
            for index in priced.indices where !priced[index].isFinite { priced[index] = limit }
        }
        let pairs = solveComplete(costs: priced, rows: rows, columns: columns)
        return pairs.filter { costs[$0.row * columns + $0.column].isFinite }
    }

    /// Total cost of `pairs` in a row-major matrix with `columns` columns.
    public static func cost(of pairs: [Pair], in costs: [Double], columns: Int) -> Double {
        pairs.reduce(0) { $0 + costs[$1.row * columns + $1.column] }
    }

    /// Complete assignment of the smaller side on a matrix of finite costs.
    static func solveComplete(costs: [Double], rows: Int, columns: Int) -> [Pair] {
        if rows <= columns {
            let rowToColumn = augment(costs: costs, rows: rows, columns: columns)
            return rowToColumn.enumerated().map { Pair(row: $0.offset, column: $0.element) }
        }
        var transposed = [Double](repeating: 0, count: costs.count)
        for r in 0..<rows {
            for c in 0..<columns { transposed[c * rows + r] = costs[r * columns + c] }
        }
        let columnToRow = augment(costs: transposed, rows: columns, columns: rows)
        return columnToRow.enumerated()
            .map { Pair(row: $0.element, column: $0.offset) }
            .sorted { $0.row < $1.row }
    }

    /// Shortest augmenting path assignment for `rows <= columns`; returns each row's column.
    ///
    /// Keeps dual potentials `u` (rows) and `v` (columns); each row is added by a Dijkstra-like search
    /// over reduced costs, then the potentials are updated so reduced costs stay non-negative.
    private static func augment(costs: [Double], rows: Int, columns: Int) -> [Int] {
        var u = [Double](repeating: 0, count: rows)
        var v = [Double](repeating: 0, count: columns)
        var shortest = [Double](repeating: .infinity, count: columns)
        var path = [Int](repeating: -1, count: columns)
        var columnForRow = [Int](repeating: -1, count: rows)
        var rowForColumn = [Int](repeating: -1, count: columns)
        var visitedRows = [Bool](repeating: false, count: rows)
        var visitedColumns = [Bool](repeating: false, count: columns)
        var remaining = [Int](repeating: 0, count: columns)

        for current in 0..<rows {
            var minimum = 0.0
            var row = current
            var remainingCount = columns
            for j in 0..<columns {
                remaining[j] = columns - j - 1
                shortest[j] = .infinity
                visitedColumns[j] = false
            }
            for i in 0..<rows { visitedRows[i] = false }
            var sink = -1
            while sink == -1 {
                visitedRows[row] = true
                var lowest = Double.infinity
                var chosen = -1
                let base = row * columns
                for index in 0..<remainingCount {
                    let j = remaining[index]
                    let reduced = minimum + costs[base + j] - u[row] - v[j]
                    if reduced < shortest[j] {
                        path[j] = row
                        shortest[j] = reduced
                    }
                    if shortest[j] < lowest || (shortest[j] == lowest && rowForColumn[j] == -1) {
                        lowest = shortest[j]
                        chosen = index
                    }
                }
                // Costs are finite here, so some column is always reachable.
                precondition(chosen >= 0, "assignment search found no column")
                minimum = lowest
                let j = remaining[chosen]
                if rowForColumn[j] == -1 { sink = j } else { row = rowForColumn[j] }
                visitedColumns[j] = true
                remainingCount -= 1
                remaining[chosen] = remaining[remainingCount]
            }
            u[current] += minimum
            for i in 0..<rows where visitedRows[i] && i != current {
                u[i] += minimum - shortest[columnForRow[i]]
            }
            for j in 0..<columns where visitedColumns[j] {
                v[j] -= minimum - shortest[j]
            }
            var j = sink
            while true {
                let i = path[j]
                rowForColumn[j] = i
                let previous = columnForRow[i]
                columnForRow[i] = j
                j = previous
                if i == current { break }
            }
        }
        return columnForRow
    }
}
