import ReIDNet
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
}
