import Foundation
import ReIDNet
import TestSupport
import XCTest
@testable import Benchmarks

/// `bench embed`'s whole-process figure: the crops it cuts, and `panoptes embed` timed next to the peer.
final class EmbedProcessBenchmarkTests: XCTestCase {
    static var leftDetections: URL { Fixtures.repoRoot.appendingPathComponent("Samples/vtest/left.det.txt") }

    /// The crops are the first boxes of the detections file, cut from their own frames: each PNG, read
    /// back by the ffmpeg CLI, holds exactly the pixels the ffmpeg CLI gives for its box of its frame.
    func testWriteCrops_areTheFirstBoxesOfTheirFrames() throws {
        let work = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let crops = try EmbedProcessBenchmark.writeCrops(count: 5, video: Fixtures.vtest, detections: Self.leftDetections, into: work)
        XCTAssertEqual(crops.map(\.lastPathComponent), (0..<5).map { String(format: "crop-%03d.png", $0) })
        // The file's first five lines are frames 1, 2, 4, 5 and 6, one box each.
        let lines = try String(contentsOf: Self.leftDetections, encoding: .utf8).split(separator: "\n").prefix(5)
        for (crop, line) in zip(crops, lines) {
            let fields = line.split(separator: ",").map { Double($0)! }
            let (x, y) = (Int(fields[2].rounded()), Int(fields[3].rounded()))
            let (width, height) = (Int(fields[4].rounded()), Int(fields[5].rounded()))
            let box = try Self.ffmpegRGB(["-i", Fixtures.vtest.path, "-vf",
                                          "select=eq(n\\,\(Int(fields[0]) - 1)),format=rgb24,crop=\(width):\(height):\(x):\(y)",
                                          "-frames:v", "1"])
            XCTAssertEqual(box.count, width * height * 3, "ffmpeg's box of frame \(Int(fields[0]))")
            XCTAssertEqual(try Self.ffmpegRGB(["-i", crop.path]), box, "\(crop.lastPathComponent) holds its box's pixels")
        }
    }

    /// A detections file with fewer boxes than asked for is refused by name, with what to do.
    func testWriteCrops_tooFewBoxes_throwsNamingTheFile() throws {
        let work = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let detections = work.appendingPathComponent("two.det.txt")
        try "1,-1,242.35,210.35,50.80,101.20,2.73,-1,-1,-1\n2,-1,248.95,214.33,47.60,95.20,2.22,-1,-1,-1\n"
            .write(to: detections, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EmbedProcessBenchmark.writeCrops(count: 3, video: Fixtures.vtest, detections: detections, into: work)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(detections.path) && text.contains("only 2 boxes") && text.contains("ask for fewer crops"), text)
        }
    }

    /// `panoptes embed` runs as a user runs it, in each round for at least as long as the peer's turn
    /// (at least once), each run checked for one embedding per crop, and the warm peer takes its turns at
    /// the model's default input size.
    func testMeasure_timesPanoptesEmbedAndThePeerRoundByRound() async throws {
        let work = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let peerWeights = work.appendingPathComponent("mobilenetv2.safetensors")
        let peer = EmbedBenchmarkPeer(repository: Fixtures.repoRoot)
        try await peer.run(["weights", "mobilenetv2", peerWeights.path, "--from", Fixtures.mobilenetWeights.path])
        let crops = try EmbedProcessBenchmark.writeCrops(count: 4, video: Fixtures.vtest, detections: Self.leftDetections, into: work)
        var configuration = EmbedProcessBenchmark.Configuration(executable: Fixtures.panoptes, video: Fixtures.vtest,
                                                                detections: Self.leftDetections)
        configuration.batch = 2
        configuration.rounds = 2
        configuration.peerSeconds = 0.4
        let row = try await EmbedProcessBenchmark(configuration: configuration).measure(
            model: .pfsaMobileNetV2, weights: Fixtures.mobilenetWeights, peerWeights: peerWeights, crops: crops,
            peer: peer, threads: 1, work: work)
        XCTAssertEqual([row.height, row.width], [256, 128], "panoptes embed's default input for MobileNetV2")
        XCTAssertEqual(row.crops, 4)
        XCTAssertEqual(row.runs.count, 2)
        XCTAssertTrue(row.runs.allSatisfy { !$0.isEmpty && $0.reduce(0, +) >= 0.4 && $0.dropLast().reduce(0, +) < 0.4 },
                      "each round's runs last at least the peer's turn, the last one taking them past it: \(row.runs)")
        XCTAssertEqual(row.peerImagesPerSecond.count, 2)
        XCTAssertTrue(row.seconds.allSatisfy { $0 > 0 } && row.peerImagesPerSecond.allSatisfy { $0.isFinite && $0 > 0 },
                      "\(row.seconds) \(row.peerImagesPerSecond)")
        XCTAssertTrue(row.ratio.isFinite && row.ratio > 0, "\(row.ratio)")
        let embeddings = try NumpyArray(contentsOf: work.appendingPathComponent("process-embeddings.npy"))
        XCTAssertEqual(embeddings.shape, [4, 1280], "the last run's embeddings, one per crop")
        let line = EmbedProcessBenchmark.format(row)
        XCTAssertTrue(line.hasPrefix("pfsa-mobilenetv2   256x128      2   4 crops in "), line)
    }

    /// A `panoptes embed` that fails stops the measurement with the child's own message.
    func testMeasure_failingEmbed_throwsWithItsStandardError() async throws {
        let work = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let crops = try EmbedProcessBenchmark.writeCrops(count: 1, video: Fixtures.vtest, detections: Self.leftDetections, into: work)
        let missing = work.appendingPathComponent("no-such-weights.pt")
        let benchmark = EmbedProcessBenchmark(configuration: .init(executable: Fixtures.panoptes, video: Fixtures.vtest,
                                                                   detections: Self.leftDetections))
        do {
            _ = try await benchmark.measure(model: .pfsaMobileNetV2, weights: missing, peerWeights: missing, crops: crops,
                                            peer: EmbedBenchmarkPeer(repository: Fixtures.repoRoot), threads: 1, work: work)
            XCTFail("a run without its weights was timed")
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("panoptes embed (pfsa-mobilenetv2) failed with status "), text)
            XCTAssertTrue(text.contains("no-such-weights.pt"), text)
        }
    }

    /// What the ffmpeg CLI decodes from `input` (its arguments before the output), as packed RGB24 bytes.
    static func ffmpegRGB(_ input: [String]) throws -> [UInt8] {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"),
                                    ["-nostdin", "-v", "error"] + input + ["-pix_fmt", "rgb24", "-f", "rawvideo", "-"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        return [UInt8](result.stdout)
    }
}
