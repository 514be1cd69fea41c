import Foundation
import TestSupport
import XCTest
@testable import Evaluation

/// The feature cache: a hit returns the very features stored; any change of key misses; damage is an error.
final class FeatureCacheTests: XCTestCase {
    private func makeKey(pooling: String = "normalized", weights: URL) throws -> FeatureCacheKey {
        try FeatureCacheKey(model: "pfsa-mobilenetv2", weights: weights, inputHeight: 256, inputWidth: 128,
                            pooling: pooling, images: ["query/0001_c1s1_000001_01.jpg", "bounding_box_test/0001_c2s1_000002_01.jpg",
                                                       "bounding_box_test/0002_c2s1_000003_01.jpg"])
    }

    private func setUpFolder() throws -> (URL, URL) {
        let folder = try Fixtures.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        let weights = folder.appendingPathComponent("w.pt")
        try Data("weights".utf8).write(to: weights)
        return (folder, weights)
    }

    func testStoreThenLoad_sameKey_returnsSameFeatures() throws {
        let (folder, weights) = try setUpFolder()
        let cache = FeatureCache(directory: folder.appendingPathComponent("cache"))
        let key = try makeKey(weights: weights)
        XCTAssertNil(try cache.load(key))
        let data = SeededFeatures(seed: 3, queries: 1, gallery: 2, dimension: 5, people: 2)
        let entry = FeatureCache.Entry(key: key, query: data.query, gallery: data.gallery, attentionPeaks: [0.5, 1, 0.07])
        let url = try cache.store(entry)
        XCTAssertTrue(url.lastPathComponent.hasPrefix("features-pfsa-mobilenetv2-normalized-"))
        let loaded = try XCTUnwrap(try cache.load(key))
        XCTAssertEqual(loaded.query, data.query)
        XCTAssertEqual(loaded.gallery, data.gallery)
        XCTAssertEqual(loaded.attentionPeaks, [0.5, 1, 0.07])
    }

    func testLoad_otherPoolingOrTouchedWeights_misses() throws {
        let (folder, weights) = try setUpFolder()
        let cache = FeatureCache(directory: folder)
        let key = try makeKey(weights: weights)
        let data = SeededFeatures(seed: 3, queries: 1, gallery: 2, dimension: 5, people: 2)
        try cache.store(FeatureCache.Entry(key: key, query: data.query, gallery: data.gallery, attentionPeaks: [0, 0, 0]))
        XCTAssertNil(try cache.load(makeKey(pooling: "softmax", weights: weights)))
        try Data("weights, retrained".utf8).write(to: weights)
        XCTAssertNil(try cache.load(makeKey(weights: weights)))
    }

    func testLoad_truncatedFile_errorNamesFileAndSaysDelete() throws {
        let (folder, weights) = try setUpFolder()
        let cache = FeatureCache(directory: folder)
        let key = try makeKey(weights: weights)
        let data = SeededFeatures(seed: 3, queries: 1, gallery: 2, dimension: 5, people: 2)
        let url = try cache.store(FeatureCache.Entry(key: key, query: data.query, gallery: data.gallery, attentionPeaks: [0, 0, 0]))
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 3).write(to: url)
        XCTAssertThrowsError(try cache.load(key)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix(url.path), text)
            XCTAssertTrue(text.contains("delete it and run again"), text)
        }
    }
}
