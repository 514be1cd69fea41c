import Foundation
import TestSupport
import XCTest

@testable import ReIDNet

/// The checkpoints `Tests/Peers/weights_write.py` writes (once per test run) and the values numpy
/// expects for them.
enum WeightsFixtures {
    /// The folder holding the written checkpoints, or why writing them failed.
    static let written: Result<URL, any Error> = Result {
        let folder = try Fixtures.temporaryDirectory("weights-fixtures")
        let result = try runPeer("weights_write.py", [folder.path])
        guard result.stdoutText.contains("ok") else { throw CocoaError(.fileWriteUnknown) }
        return folder
    }

    /// The written checkpoint `name`.
    static func url(_ name: String) throws -> URL {
        try written.get().appendingPathComponent(name)
    }

    /// One tensor as numpy reads it.
    struct ExpectedTensor: Decodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var values: [Double]
        var integers: [Int64]?
    }

    /// What numpy expects of a whole checkpoint.
    struct Expected: Decodable {
        var tensors: [ExpectedTensor]
        var metadata: [String: String]
    }

    /// `NAME.expected.json` beside the checkpoint `name`.
    static func expected(_ name: String) throws -> Expected {
        let data = try Data(contentsOf: try url(name + ".expected.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    /// Loads `name` and checks every tensor against numpy: names in file order, dtype, shape,
    /// values bit for bit, integers exactly; and the metadata.
    static func assertMatchesNumpy(
        _ name: String, format: WeightsFormat, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let stateDict = try WeightsLoader.load(try url(name))
        let expected = try expected(name)
        XCTAssertEqual(stateDict.format, format, file: file, line: line)
        XCTAssertEqual(stateDict.names, expected.tensors.map(\.name), file: file, line: line)
        XCTAssertEqual(stateDict.metadata, expected.metadata, file: file, line: line)
        for want in expected.tensors {
            guard let got = stateDict[storedName: want.name] else {
                XCTFail("\(name): no tensor \(want.name)", file: file, line: line)
                continue
            }
            XCTAssertEqual(got.dtype.rawValue, want.dtype, "\(name) \(want.name)", file: file, line: line)
            XCTAssertEqual(got.shape, want.shape, "\(name) \(want.name)", file: file, line: line)
            XCTAssertEqual(got.values.count, want.values.count, "\(name) \(want.name)", file: file, line: line)
            let mismatches = zip(got.values, want.values).enumerated().filter { $0.element.0 != Float($0.element.1) }
            XCTAssertTrue(
                mismatches.isEmpty,
                "\(name) \(want.name): \(mismatches.count) values differ, first at \(mismatches.first.map { "\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")",
                file: file, line: line)
            XCTAssertEqual(got.integers, want.integers, "\(name) \(want.name)", file: file, line: line)
        }
    }
}
