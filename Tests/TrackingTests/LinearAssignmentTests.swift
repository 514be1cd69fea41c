import Foundation
import TestSupport
import XCTest
@testable import Tracking

/// The assignment solver against SciPy's `linear_sum_assignment` (Tests/Peers/tracking_lsa.py).
final class LinearAssignmentTests: XCTestCase {
    private struct Problem {
        var rows: Int
        var columns: Int
        var costs: [Double]
    }

    private func peer(_ problems: [Problem]) throws -> [[String: Any]] {
        let json = problems.map { p -> [String: Any] in
            ["rows": p.rows, "columns": p.columns, "costs": p.costs.map { $0.isFinite ? $0 as Any : NSNull() }]
        }
        let input = try Fixtures.temporaryDirectory().appendingPathComponent("problems.json")
        defer { try? FileManager.default.removeItem(at: input.deletingLastPathComponent()) }
        try JSONSerialization.data(withJSONObject: json).write(to: input)
        let result = try runPeer("tracking_lsa.py", [], standardInput: input)
        return try JSONSerialization.jsonObject(with: result.stdout) as! [[String: Any]]
    }

    private func random(_ rows: Int, _ columns: Int, forbidden: Double, integer: Bool, rng: inout SeededGenerator) -> Problem {
        let costs = (0..<(rows * columns)).map { _ -> Double in
            if Double.random(in: 0..<1, using: &rng) < forbidden { return .nan }
            return integer ? Double(Int.random(in: 0...9, using: &rng)) : Double.random(in: -5...20, using: &rng)
        }
        return Problem(rows: rows, columns: columns, costs: costs)
    }

    func testRandomMatrices_costEqualsScipy() throws {
        var rng = SeededGenerator(seed: 7)
        var problems: [Problem] = []
        let shapes = [(1, 1), (1, 7), (7, 1), (5, 5), (13, 13), (3, 7), (9, 4), (40, 40), (17, 60), (60, 17)]
        for (rows, columns) in shapes {
            for forbidden in [0.0, 0.3, 0.8] {
                for integer in [false, true] {
                    problems.append(random(rows, columns, forbidden: forbidden, integer: integer, rng: &rng))
                }
            }
        }
        problems.append(Problem(rows: 3, columns: 3, costs: [Double](repeating: .nan, count: 9)))
        let expected = try peer(problems)
        XCTAssertEqual(expected.count, problems.count)
        for (index, problem) in problems.enumerated() {
            let pairs = LinearAssignment.solve(costs: problem.costs, rows: problem.rows, columns: problem.columns)
            let label = "problem \(index) (\(problem.rows)x\(problem.columns))"
            XCTAssertEqual(pairs.count, expected[index]["pairs"] as? Int, label)
            let cost = LinearAssignment.cost(of: pairs, in: problem.costs, columns: problem.columns)
            XCTAssertEqual(cost, expected[index]["cost"] as! Double, accuracy: 1e-9, label)
            XCTAssertEqual(Set(pairs.map(\.row)).count, pairs.count, "\(label): a row used twice")
            XCTAssertEqual(Set(pairs.map(\.column)).count, pairs.count, "\(label): a column used twice")
            XCTAssertTrue(pairs.allSatisfy { problem.costs[$0.row * problem.columns + $0.column].isFinite }, "\(label): forbidden pair used")
            if let complete = expected[index]["complete_cost"] as? Double, pairs.count == min(problem.rows, problem.columns) {
                XCTAssertEqual(cost, complete, accuracy: 1e-9, "\(label): SciPy's own optimum")
            }
        }
    }

    func testEmptyMatrix_givesNoPairs() {
        XCTAssertEqual(LinearAssignment.solve(costs: [], rows: 0, columns: 5), [])
    }
}
