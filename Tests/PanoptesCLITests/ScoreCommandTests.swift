import Foundation
import TestSupport
import XCTest

/// `panoptes score` end to end: the printed numbers against py-motmetrics, folders, exit codes, errors.
final class ScoreCommandTests: XCTestCase {
    /// py-motmetrics' sample files, wherever the peer venv installed them.
    private var data: URL { get throws { try Peer.motmetricsData() } }

    private func peer(_ files: [URL]) throws -> [String: Double] {
        let result = try runPeer("tracking_mot.py", files.map(\.path))
        return (try JSONSerialization.jsonObject(with: result.stdout) as! [String: Any]).compactMapValues { $0 as? Double }
    }

    func testOneCamera_printsMotmetricsNumbers() throws {
        let data = try data
        let gt = data.appendingPathComponent("TUD-Campus/gt.txt"), tracks = data.appendingPathComponent("TUD-Campus/test.txt")
        let result = try runProcess(Fixtures.panoptes, ["score", "--gt", gt.path, "--tracks", tracks.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let expected = try peer([gt, tracks])
        let lines = result.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, result.stdoutText)
        XCTAssertEqual(lines[0].split(separator: " "), ["camera", "MOTA", "MOTP", "IDF1", "IDP", "IDR", "IDsw", "Frag", "FP", "FN", "GT"])
        let cells = lines[1].split(separator: " ").map(String.init)
        XCTAssertEqual(cells[0], "TUD-Campus")
        for (index, key) in ["mota", "motp", "idf1", "idp", "idr"].enumerated() {
            XCTAssertEqual(cells[index + 1], String(format: "%.6f", expected[key]!), key)
        }
        for (index, key) in ["num_switches", "num_fragmentations", "num_false_positives", "num_misses", "num_objects"].enumerated() {
            XCTAssertEqual(Double(cells[index + 6]), expected[key], key)
        }
    }

    func testFolders_scoreEachCameraAndAllTogether_json() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = FileManager.default
        let data = try data
        for (camera, sequence) in [("cam1", "TUD-Campus"), ("cam2", "TUD-Stadtmitte")] {
            try manager.copyItem(at: data.appendingPathComponent("\(sequence)/gt.txt"), to: folder.appendingPathComponent("\(camera).gt.txt"))
            try manager.copyItem(at: data.appendingPathComponent("\(sequence)/test.txt"), to: folder.appendingPathComponent("\(camera).txt"))
        }
        let result = try runProcess(Fixtures.panoptes, ["score", "--gt", folder.path, "--tracks", folder.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let json = try JSONSerialization.jsonObject(with: result.stdout) as! [String: Any]
        let combined = json["combined"] as! [String: Any]
        let expected = try peer(["cam1", "cam2"].flatMap { [folder.appendingPathComponent("\($0).gt.txt"), folder.appendingPathComponent("\($0).txt")] })
        for key in ["mota", "motp", "idf1", "idp", "idr"] {
            XCTAssertEqual(combined[key] as! Double, expected[key]!, accuracy: 1e-6, key)
        }
        XCTAssertEqual(combined["id_switches"] as? Int, Int(expected["num_switches"]!))
        let cameras = json["cameras"] as! [String: [String: Any]]
        XCTAssertEqual(Set(cameras.keys), ["cam1", "cam2"])
        XCTAssertEqual(cameras["cam1"]!["idf1"] as! Double, try peer([folder.appendingPathComponent("cam1.gt.txt"), folder.appendingPathComponent("cam1.txt")])["idf1"]!, accuracy: 1e-6)

        let table = try runProcess(Fixtures.panoptes, ["score", "--gt", folder.path, "--tracks", folder.path])
        XCTAssertEqual(table.stdoutText.split(separator: "\n").map { $0.split(separator: " ").first.map(String.init) ?? "" },
                       ["camera", "cam1", "cam2", "all"])
    }

    func testMissingFile_exitsOneNamingIt() throws {
        let result = try runProcess(Fixtures.panoptes, ["score", "--gt", "/nonexistent/gt.txt", "--tracks", "/nonexistent/t.txt"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "error: /nonexistent/gt.txt: no such file or folder; give a MOTChallenge gt.txt or a folder of <cam>.gt.txt\n")
    }

    func testMalformedLine_exitsOneWithFileAndLine() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gt = folder.appendingPathComponent("gt.txt"), tracks = folder.appendingPathComponent("tracks.txt")
        try "1,1,10,10,20,40,1\n".write(to: gt, atomically: true, encoding: .utf8)
        try "1,1,10,10,20,40,1\n2,1,10,ten,20,40,1\n".write(to: tracks, atomically: true, encoding: .utf8)
        let result = try runProcess(Fixtures.panoptes, ["score", "--gt", gt.path, "--tracks", tracks.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderrText, "error: \(tracks.path):2: field 4 (y) is 'ten', not a finite number\n")
    }

    func testFolderWithoutTracksForACamera_exitsOneSayingWhatToDo() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "1,1,10,10,20,40,1\n".write(to: folder.appendingPathComponent("c1.gt.txt"), atomically: true, encoding: .utf8)
        let result = try runProcess(Fixtures.panoptes, ["score", "--gt", folder.path, "--tracks", folder.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderrText.contains("c1.txt: camera c1 has ground truth but no tracks file; write an empty file if the tracker found nobody"),
                      result.stderrText)
    }

    func testEmptyTracksFile_scoresEverythingMissed() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gt = folder.appendingPathComponent("gt.txt"), tracks = folder.appendingPathComponent("tracks.txt")
        try "1,1,10,10,20,40,1\n2,1,12,10,20,40,1\n".write(to: gt, atomically: true, encoding: .utf8)
        try "".write(to: tracks, atomically: true, encoding: .utf8)
        let result = try runProcess(Fixtures.panoptes, ["score", "--gt", gt.path, "--tracks", tracks.path, "--json"])
        XCTAssertEqual(result.status, 0, result.stderrText)
        let camera = ((try JSONSerialization.jsonObject(with: result.stdout) as! [String: Any])["cameras"] as! [String: [String: Any]]).values.first!
        XCTAssertEqual(camera["misses"] as? Int, 2)
        XCTAssertEqual(camera["mota"] as? Double, 0)
        XCTAssertTrue(camera["motp"] is NSNull)
    }
}
