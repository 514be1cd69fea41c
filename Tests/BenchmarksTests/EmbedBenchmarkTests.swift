import ReIDNet
import TestSupport
import XCTest
@testable import Benchmarks

/// The embed benchmark's table and its reading of the ONNX Runtime peer's output.
final class EmbedBenchmarkTests: XCTestCase {
    func testFormat_rowLinesUpWithTheHeader() {
        let row = EmbedBenchmark.Row(model: .pfsaMobileNetV2, height: 256, width: 128, batch: 16, oursImagesPerSecond: 123.45,
                                     peerImagesPerSecond: 100, gflopPerImage: 0.5)
        let line = EmbedBenchmark.format(row)
        XCTAssertEqual(line, "pfsa-mobilenetv2   256x128     16            123.5       100.0    1.23x       62 / 50    ")
        // Each value ends under its column's title.
        let header = EmbedBenchmark.header
        for (title, value) in [("batch", "16"), ("img/s", "123.5"), ("ratio", "1.23")] {
            let titleEnd = header.range(of: title)!.upperBound.utf16Offset(in: header)
            let valueEnd = line.range(of: value)!.upperBound.utf16Offset(in: line)
            XCTAssertEqual(valueEnd, titleEnd, "\(title) column")
        }
    }

    /// With rounds, the figure is the median of the rounds' ratios (not the ratio of the medians), and
    /// the line ends with their range.
    func testFormat_withRounds_showsTheMedianRatioAndTheRange() {
        let row = EmbedBenchmark.Row(model: .pfsaResNet50, height: 384, width: 128, batch: 8, oursImagesPerSecond: 20,
                                     peerImagesPerSecond: 20, gflopPerImage: 12.2, roundRatios: [1.30, 0.90, 1.05])
        XCTAssertEqual(row.ratio, 1.05, accuracy: 1e-12)
        let line = EmbedBenchmark.format(row)
        XCTAssertTrue(line.contains("    1.05x "), line)
        XCTAssertTrue(line.hasSuffix("   rounds 0.90-1.30x"), line)
        XCTAssertEqual(median([4, 1, 3, 2]), 2.5)
    }

    func testImagesPerSecond_readsTheLastJSONLine() throws {
        let text = "warming up\n{\"images_per_second\": 41.5, \"batch\": 8}\n"
        XCTAssertEqual(try EmbedBenchmarkPeer.imagesPerSecond(benchOutput: text), 41.5)
    }

    func testImagesPerSecond_withoutTheNumber_throwsShowingTheOutput() {
        for text in ["", "Traceback (most recent call last):\n  oops", "{\"seconds\": 3}"] {
            XCTAssertThrowsError(try EmbedBenchmarkPeer.imagesPerSecond(benchOutput: text), text) { error in
                XCTAssertTrue(error is EmbedBenchmarkError, "\(error)")
                XCTAssertTrue("\(error)".hasPrefix("peer bench printed no images_per_second: \(text)"), "\(error)")
            }
        }
    }

    func testInputs_areDeterministicAndSized() {
        let a = EmbedBenchmark.inputs(count: 2, height: 5, width: 3)
        XCTAssertEqual(a.count, 2 * 3 * 5 * 3)
        XCTAssertEqual(a, EmbedBenchmark.inputs(count: 2, height: 5, width: 3))
        XCTAssertTrue(a.allSatisfy { $0.isFinite && abs($0) <= 1.7 }, "\(a)")
    }

    /// The warm peer answers each turn with ONNX Runtime's own figure, and ends when its input ends.
    func testSession_timesTheWarmPeerTurnAfterTurn() throws {
        let work = try Fixtures.temporaryDirectory()
        let weights = work.appendingPathComponent("mobilenetv2.safetensors")
        try runPeer("engine_onnx.py", ["weights", "mobilenetv2", weights.path, "--from", Fixtures.mobilenetWeights.path])
        let peer = EmbedBenchmarkPeer(repository: Fixtures.repoRoot)
        let session = try EmbedBenchmarkPeer.Session(peer: peer, model: .pfsaMobileNetV2, weights: weights, height: 64, width: 32,
                                                     batch: 2, threads: 1, errors: work.appendingPathComponent("stderr.txt"))
        for seconds in [0.2, 0.1] {
            let start = Date()
            let rate = try session.imagesPerSecond(seconds: seconds)
            XCTAssertTrue(rate.isFinite && rate > 0, "\(rate)")
            XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), seconds, "the peer timed at least the turn asked")
        }
        session.close()
        XCTAssertThrowsError(try session.imagesPerSecond(seconds: 0.1), "a closed session takes no more turns")
    }

    /// ORT's column in the per-layer profile: a layer by its name, an image block by its inverted residual's
    /// convolutions (and not the block of a longer number) plus the stem's where the block begins with it,
    /// nothing for the poolings ORT has no row for.
    func testProfileColumn_matchesLayersAndWholeBlocks() throws {
        let layers = ["layer1.0.conv1": 0.5, "features.1.conv.0": 0.25, "features.1.conv.3": 0.5, "features.10.conv.0": 8,
                      "features.2.conv.0": 1, "features.0.0": 2]
        XCTAssertEqual(EmbedBenchmarkPeer.milliseconds(of: "layer1.0.conv1", in: layers), 0.5)
        XCTAssertEqual(EmbedBenchmarkPeer.milliseconds(of: "features.1.conv.0+3", in: layers), 0.75)
        XCTAssertEqual(EmbedBenchmarkPeer.milliseconds(of: "features.0.0+features.1.conv.0+3", in: layers), 2.75)
        XCTAssertNil(EmbedBenchmarkPeer.milliseconds(of: "features.0.0+features.3.conv.0+3", in: layers))
        XCTAssertEqual(EmbedBenchmarkPeer.milliseconds(of: "features.10.conv.0", in: layers), 8)
        XCTAssertNil(EmbedBenchmarkPeer.milliseconds(of: "maxpool", in: layers))
        XCTAssertNil(EmbedBenchmarkPeer.milliseconds(of: "features.3.conv.0+3+6", in: layers))
        let parsed = try EmbedBenchmarkPeer.layerMilliseconds(profileOutput: "{\"layers\": {\"conv1\": 1.5}, \"run_ms\": 2.0}\n")
        XCTAssertEqual(parsed.layers, ["conv1": 1.5])
        XCTAssertEqual(parsed.run, 2.0)
        XCTAssertThrowsError(try EmbedBenchmarkPeer.layerMilliseconds(profileOutput: "{\"run_ms\": 2.0}")) { error in
            XCTAssertTrue("\(error)".hasPrefix("peer profile printed no layers and run_ms:"), "\(error)")
        }
    }

    /// The peer's profile names every convolution of the real MobileNetV2 as Panoptes' profile does: at
    /// 64x32 the first inverted residuals run as image blocks and the later ones layer by layer, and every
    /// row but the descriptor's pooling gets an ORT figure; ORT's layers add up to its run.
    func testPeerProfile_coversEveryLayerOfMobileNetV2() throws {
        let work = try Fixtures.temporaryDirectory()
        let weights = work.appendingPathComponent("mobilenetv2.safetensors")
        try runPeer("engine_onnx.py", ["weights", "mobilenetv2", weights.path, "--from", Fixtures.mobilenetWeights.path])
        let output = try runPeer("engine_onnx.py", ["profile", "pfsa-mobilenetv2", weights.path, "--height", "64", "--width", "32",
                                                    "--batch", "1", "--threads", "1", "--runs", "3"]).stdoutText
        let profile = try EmbedBenchmarkPeer.layerMilliseconds(profileOutput: output)
        let model = try ReIDModel(architecture: .pfsaMobileNetV2, weights: WeightsLoader.load(Fixtures.mobilenetWeights),
                                  inputSize: (64, 32))
        var rows: [String] = []
        _ = try model.embed(EmbedBenchmark.inputs(count: 1, height: 64, width: 32), count: 1, maxBatch: 1) { name, _ in
            if name != "pooling" { rows.append(name) }
        }
        // Both kinds of row: a block run image by image, and (on these small maps at batch 1) layers one by one.
        XCTAssertTrue(rows.contains { $0.contains("+") } && rows.contains("features.16.conv.3"), "\(rows)")
        XCTAssertEqual(rows.count, Set(rows).count)
        for row in rows {
            let ms = EmbedBenchmarkPeer.milliseconds(of: row, in: profile.layers)
            XCTAssertTrue((ms ?? 0) > 0, "\(row): \(String(describing: ms))")
        }
        let total = profile.layers.values.reduce(0, +)
        XCTAssertTrue(total > 0 && total <= profile.run * 1.01, "layers \(total) ms, run \(profile.run) ms")
    }

    /// A peer that cannot start says why, in the peer's own words, instead of a number.
    func testSession_peerThatFails_throwsWithItsStandardError() throws {
        _ = try Peer.python(["-c", "import onnxruntime"])  // the peer itself is there (else: missing, per Peer)
        let work = try Fixtures.temporaryDirectory()
        let missing = work.appendingPathComponent("no-such-weights.safetensors")
        let peer = EmbedBenchmarkPeer(repository: Fixtures.repoRoot)
        XCTAssertThrowsError(try EmbedBenchmarkPeer.Session(peer: peer, model: .pfsaMobileNetV2, weights: missing, height: 64, width: 32,
                                                            batch: 2, threads: 1, errors: work.appendingPathComponent("stderr.txt"))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("peer engine_onnx.py serve ended (exit status 1):"), text)
            XCTAssertTrue(text.contains("no-such-weights.safetensors"), text)
        }
    }
}
