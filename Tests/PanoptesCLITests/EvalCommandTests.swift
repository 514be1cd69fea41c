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

    /// The features `eval` cached in `folder` (FeatureCache's layout: `PNFEAT01`, a UInt64 header
    /// length, a JSON header with the key's image list, then Float32 rows, query first).
    private func cachedFeatures(in folder: URL) throws -> (images: [String], queries: Int, dimension: Int, values: [Float]) {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".bin") }
        XCTAssertEqual(files.count, 1, "\(files)")
        let data = try Data(contentsOf: folder.appendingPathComponent(try XCTUnwrap(files.first)))
        XCTAssertEqual(data.prefix(8), Data("PNFEAT01".utf8))
        let headerLength = Int(data.subdata(in: 8..<16).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: data.subdata(in: 16..<(16 + headerLength))) as? [String: Any])
        let images = try XCTUnwrap((header["key"] as? [String: Any])?["images"] as? [String])
        let queries = try XCTUnwrap(header["queryCount"] as? Int), dimension = try XCTUnwrap(header["dimension"] as? Int)
        let values = data.subdata(in: (16 + headerLength)..<(16 + headerLength + images.count * dimension * 4)).withUnsafeBytes { raw in
            (0..<(images.count * dimension)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        return (images, queries, dimension, values)
    }

    /// The numpy reference's plain CMC and mAP (Tests/Peers/eval_reference.py) on `features`, ranked by
    /// squared Euclidean distance computed here in Float64; labels from the Market-1501 file names.
    private func reference(_ features: (images: [String], queries: Int, dimension: Int, values: [Float])) throws -> (cmc: [Double], mAP: Double) {
        let folder = try temporary()
        func label(_ path: String) throws -> (pid: Int, camera: Int) {
            let name = (path as NSString).lastPathComponent
            let parts = name.split(separator: "_")
            let pid = try XCTUnwrap(Int(parts[0]), name)
            let camera = try XCTUnwrap(Int(parts[1].dropFirst().prefix { $0.isNumber }), name)
            return (pid, camera)
        }
        let labels = try features.images.map(label)
        let q = features.queries, g = features.images.count - q, d = features.dimension
        var distances = [Double](repeating: 0, count: q * g)
        for i in 0..<q {
            for j in 0..<g {
                var sum = 0.0
                for k in 0..<d {
                    let diff = Double(features.values[i * d + k]) - Double(features.values[(q + j) * d + k])
                    sum += diff * diff
                }
                distances[i * g + j] = sum
            }
        }
        try distances.withUnsafeBytes { try Data($0).write(to: folder.appendingPathComponent("q_g.f64")) }
        let json: [String: Any] = [
            "query_pids": labels[..<q].map(\.pid), "query_cams": labels[..<q].map(\.camera),
            "gallery_pids": labels[q...].map(\.pid), "gallery_cams": labels[q...].map(\.camera), "max_rank": 10,
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: folder.appendingPathComponent("labels.json"))
        try runPeer("eval_reference.py", [folder.path])
        let output = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("reference.json"))) as? [String: Any]
        let plain = try XCTUnwrap(output?["plain"] as? [String: Any])
        return (try XCTUnwrap(plain["cmc"] as? [Double]), try XCTUnwrap(plain["mAP"] as? Double))
    }

    /// How many `.jpg` files `folder` holds whose names start with `prefix` (all when empty).
    private func images(in folder: String, prefix: String = "") throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jpg") && $0.hasPrefix(prefix) }.count
    }

    func testEval_generatedDataset_scoresAsTheNumpyReferenceThenRereadsCacheForReranking() throws {
        let dir = try temporary()
        let dataset = dir.appendingPathComponent("market-synth").path
        let cacheFolder = dir.appendingPathComponent("cache")
        let cache = cacheFolder.path
        let made = try runProcess(Fixtures.panoptes, ["bench", "eval", "--make-dataset", dataset])
        XCTAssertEqual(made.status, 0, made.stderrText)

        let common = ["eval", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path, dataset, "--cache-dir", cache]
        let first = try runProcess(Fixtures.panoptes, common + ["--json"])
        XCTAssertEqual(first.status, 0, first.stderrText)
        let plain = try json(first)
        XCTAssertEqual(plain["from_cache"] as? Bool, false)
        // Counts as the folders hold them: junk (-1) gallery images are set aside, not scored.
        let galleryFolder = dataset + "/bounding_box_test"
        XCTAssertEqual(plain["queries"] as? Int, try images(in: dataset + "/query"))
        XCTAssertEqual(plain["junk"] as? Int, try images(in: galleryFolder, prefix: "-1"))
        XCTAssertEqual(plain["gallery"] as? Int, try images(in: galleryFolder) - images(in: galleryFolder, prefix: "-1"))
        XCTAssertEqual(plain["dimension"] as? Int, 1280)
        let r1 = try XCTUnwrap(plain["rank1"] as? Double), r5 = try XCTUnwrap(plain["rank5"] as? Double)
        let mAP = try XCTUnwrap(plain["mAP"] as? Double)

        // The protocol against the numpy reference on the very features eval computed and cached.
        let features = try cachedFeatures(in: cacheFolder)
        XCTAssertEqual(features.queries, plain["queries"] as? Int)
        let expected = try reference(features)
        XCTAssertEqual(r1, expected.cmc[0], accuracy: 1e-9, "rank-1")
        XCTAssertEqual(r5, expected.cmc[4], accuracy: 1e-9, "rank-5")
        XCTAssertEqual(mAP, expected.mAP, accuracy: 1e-6, "mAP")

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

    func testEval_malformedImageName_exitsOneNamingFileAndPattern() throws {
        let root = try folder(query: ["0001_c1s1_000001_01.jpg"], gallery: ["0001_c2s1_000002_01.jpg", "0001-c2-frame9.jpg"])
        let result = try runEval(root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderrText.hasPrefix("error: \(root.path)/bounding_box_test/0001-c2-frame9.jpg: the name does not match"), result.stderrText)
        XCTAssertTrue(result.stderrText.contains("PPPP_cCsS_FFFFFF_NN.jpg"), result.stderrText)
        XCTAssertEqual(result.stdoutText, "")
    }

    func testEval_emptyQueryFolder_exitsOneNamingFolder() throws {
        let root = try folder(query: [], gallery: ["0001_c2s1_000002_01.jpg"])
        let result = try runEval(root)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderrText.contains("error: \(root.path)/query: no .jpg image in this folder"), result.stderrText)
    }

    func testEval_missingWeights_exitsOne() throws {
        let root = try folder(query: ["0001_c1s1_000001_01.jpg"], gallery: ["0001_c2s1_000002_01.jpg"])
        let result = try runProcess(Fixtures.panoptes, ["eval", "--model", "pfsa-mobilenetv2", "--weights", "/nonexistent/w.pt", root.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderrText.contains("/nonexistent/w.pt: weights file not found"), result.stderrText)
    }

    func testEval_unknownPooling_exitsTwoListingChoices() throws {
        let root = try folder(query: ["0001_c1s1_000001_01.jpg"], gallery: ["0001_c2s1_000002_01.jpg"])
        let result = try runEval(root, ["--pooling", "max"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("Unknown --pooling 'max'; use one of: average, softmax, normalized, stripes."), result.stderrText)
    }
}
