import Foundation
import TestSupport
import XCTest

/// `panoptes synth` as a user runs it: exit codes, messages, the files written.
final class SynthCLITests: XCTestCase {
    func testSynth_smallScene_exitsZeroAndWritesEveryFile() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("scene")
        let result = try runProcess(
            Fixtures.panoptes,
            ["synth", "--out", out.path, "--cameras", "2", "--people", "3", "--seconds", "3", "--width", "320",
             "--height", "180", "--crossing-seconds", "2", "--min-gap", "0.5", "--max-gap", "1",
             "--weights", Fixtures.mobilenetWeights.path])
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, "wrote 2 cameras, 30 frames each, and pipeline.yaml, to \(out.path)\n")
        XCTAssertTrue(result.stderrText.contains("cam1: 30 frames,"), result.stderrText)
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(files, ["cam1.det.txt", "cam1.gt.txt", "cam1.mp4", "cam2.det.txt", "cam2.gt.txt", "cam2.mp4", "pipeline.yaml", "scene.json"])
        // The written pipeline runs the scene as it is.
        let validate = try runProcess(Fixtures.panoptes, ["validate", out.appendingPathComponent("pipeline.yaml").path])
        XCTAssertEqual(validate.status, 0, validate.stderrText)
        let gt = try String(contentsOf: out.appendingPathComponent("cam1.gt.txt"), encoding: .utf8)
        XCTAssertTrue(gt.hasPrefix("1,"), "ground truth starts at frame 1 (MOT files are 1-based): \(gt.prefix(80))")
    }

    /// The committed sample is exactly what `panoptes synth` writes with the settings it records.
    func testSynth_committedSample_isReproducedByteForByte() throws {
        let sample = Fixtures.repoRoot.appendingPathComponent("Samples/synth-small")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: sample.appendingPathComponent("scene.json"))) as! [String: Any]
        let c = json["config"] as! [String: Any]
        func arg(_ key: String) -> String { "\(c[key]!)" }
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try runProcess(
            Fixtures.panoptes,
            ["synth", "--out", dir.path, "--no-video", "--cameras", arg("cameras"), "--people", arg("people"),
             "--seconds", arg("seconds"), "--seed", arg("seed"), "--width", arg("width"), "--height", arg("height"),
             "--fps", arg("fps"), "--jitter", arg("jitter"), "--miss-rate", arg("miss_rate"),
             "--false-positives", arg("false_positives_per_frame"), "--crossing-seconds", arg("crossing_seconds"),
             "--min-gap", arg("min_gap_seconds"), "--max-gap", arg("max_gap_seconds")])
        XCTAssertEqual(result.status, 0, result.stderrText)
        for name in ["scene.json", "cam1.gt.txt", "cam1.det.txt", "cam2.gt.txt", "cam2.det.txt"] {
            XCTAssertEqual(
                try Data(contentsOf: dir.appendingPathComponent(name)), try Data(contentsOf: sample.appendingPathComponent(name)),
                "\(name) differs from Samples/synth-small/\(name)")
        }
    }

    func testSynth_badArguments_exitTwoAndSayWhatToChange() throws {
        let cases: [([String], String)] = [
            (["synth", "--out", "/tmp/x", "--cameras", "5"], "invalid --cameras '5': expected 2 to 4 cameras."),
            (["synth", "--out", "/tmp/x", "--miss-rate", "1.5"], "invalid --miss-rate '1.5': expected a probability from 0 to 1."),
            (["synth", "--out", "/tmp/x", "--width", "641"], "invalid --width '641': expected an even width from 160 to 1920."),
            (["synth", "--cameras", "2"], "Missing expected argument '--out <out>'"),
            (["synth", "--out", "/tmp/x", "--seconds", "soon"], "The value 'soon' is invalid for '--seconds <seconds>'"),
        ]
        for (arguments, message) in cases {
            let result = try runProcess(Fixtures.panoptes, arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(message), "\(arguments): \(result.stderrText)")
            XCTAssertEqual(result.stdoutText, "")
        }
    }

    func testSynth_unwritableFolder_exitsOneNamingThePath() throws {
        let result = try runProcess(Fixtures.panoptes, ["synth", "--out", "/proc/panoptes-synth", "--no-video", "--seconds", "2"])
        XCTAssertEqual(result.status, 1, result.stderrText)
        XCTAssertTrue(result.stderrText.hasPrefix("error: cannot write /proc/panoptes-synth"), result.stderrText)
    }
}
