import Foundation
import TestSupport
import XCTest

/// `panoptes eval` end to end on a generated Market-1501-layout data set and on broken folders.
final class EvalCommandTests: XCTestCase {
    private func temporary() throws -> URL {
        let dir = try Fixtures.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    private func json(_ result: ProcessResult) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: result.stdout)
        return try XCTUnwrap(object as? [String: Any], result.stdoutText)
    }

    func testEval_generatedDataset_scoresThenRereadsCacheForReranking() throws {
        let dir = try temporary()
        let dataset = dir.appendingPathComponent("market-synth").path
        let cache = dir.appendingPathComponent("cache").path
        let made = try runProcess(Fixtures.panoptes, ["bench", "eval", "--make-dataset", dataset])
        XCTAssertEqual(made.status, 0, made.stderrText)
        XCTAssertTrue(made.stdoutText.contains("63 query images, 322 gallery images (24 distractors), 8 junk"), made.stdoutText)

        let common = ["eval", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path, dataset, "--cache-dir", cache]
        let first = try runProcess(Fixtures.panoptes, common + ["--json"])
        XCTAssertEqual(first.status, 0, first.stderrText)
        let plain = try json(first)
        XCTAssertEqual(plain["from_cache"] as? Bool, false)
        XCTAssertEqual(plain["queries"] as? Int, 63)
        XCTAssertEqual(plain["gallery"] as? Int, 322)
        XCTAssertEqual(plain["junk"] as? Int, 8)
        XCTAssertEqual(plain["dimension"] as? Int, 1280)
        XCTAssertEqual(plain["queries_evaluated"] as? Int, 63)
        let r1 = try XCTUnwrap(plain["rank1"] as? Double), r5 = try XCTUnwrap(plain["rank5"] as? Double)
        let r10 = try XCTUnwrap(plain["rank10"] as? Double), mAP = try XCTUnwrap(plain["mAP"] as? Double)
        XCTAssertTrue(r1 <= r5 && r5 <= r10 && r10 <= 1, "\(r1) \(r5) \(r10)")
        XCTAssertTrue(mAP > 0 && mAP <= 1, "\(mAP)")
        // 16 people in distinct clothes: ImageNet features must find most of them (chance is about 1 in 16).
        XCTAssertGreaterThan(r1, 0.5)

        let second = try runProcess(Fixtures.panoptes, common + ["--rerank", "--json"])
        XCTAssertEqual(second.status, 0, second.stderrText)
        let reranked = try json(second)
        XCTAssertEqual(reranked["from_cache"] as? Bool, true, "the second run must not embed again")
        XCTAssertEqual(reranked["rerank"] as? Bool, true)
        XCTAssertNotEqual(reranked["mAP"] as? Double, mAP, "re-ranking changed nothing")
        XCTAssertFalse(second.stderrText.contains("embedding"), second.stderrText)

        let text = try runProcess(Fixtures.panoptes, common)
        XCTAssertEqual(text.status, 0, text.stderrText)
        XCTAssertTrue(text.stdoutText.contains("features: pfsa-mobilenetv2 256x128, normalized pooling, 1280-d; read from cache"), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains(String(format: "rank-1   %6.2f%%", 100 * r1)), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains(String(format: "mAP      %6.2f%%", 100 * mAP)), text.stdoutText)
    }

    private func folder(query: [String], gallery: [String]) throws -> URL {
        let root = try temporary()
        for (name, files) in [("query", query), ("bounding_box_test", gallery)] {
            let sub = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            for file in files { try Data([0xFF, 0xD8]).write(to: sub.appendingPathComponent(file)) }
        }
        return root
    }

    private func runEval(_ dataset: URL, _ extra: [String] = []) throws -> ProcessResult {
        try runProcess(Fixtures.panoptes, ["eval", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path,
                                           dataset.path, "--no-cache"] + extra)
    }

    func testEval_malformedImageName_exitsTwoNamingFileAndPattern() throws {
        let root = try folder(query: ["0001_c1s1_000001_01.jpg"], gallery: ["0001_c2s1_000002_01.jpg", "0001-c2-frame9.jpg"])
        let result = try runEval(root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.hasPrefix("error: \(root.path)/bounding_box_test/0001-c2-frame9.jpg: the name does not match"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("PPPP_cCsS_FFFFFF_NN.jpg"), result.stderrText)
        XCTAssertEqual(result.stdoutText, "")
    }

    func testEval_emptyQueryFolder_exitsTwoNamingFolder() throws {
        let root = try folder(query: [], gallery: ["0001_c2s1_000002_01.jpg"])
        let result = try runEval(root)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("error: \(root.path)/query: no .jpg image in this folder"), result.stderrText)
    }

    func testEval_missingWeights_exitsTwo() throws {
        let root = try folder(query: ["0001_c1s1_000001_01.jpg"], gallery: ["0001_c2s1_000002_01.jpg"])
        let result = try runProcess(Fixtures.panoptes, ["eval", "--model", "pfsa-mobilenetv2", "--weights", "/nonexistent/w.pt", root.path])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("/nonexistent/w.pt: weights file not found"), result.stderrText)
    }

    func testEval_unknownPooling_exitsTwoListingChoices() throws {
        let root = try folder(query: ["0001_c1s1_000001_01.jpg"], gallery: ["0001_c2s1_000002_01.jpg"])
        let result = try runEval(root, ["--pooling", "max"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("Unknown --pooling 'max'; use one of: average, softmax, normalized, stripes."), result.stderrText)
    }
}
