import Foundation
import TestSupport
import XCTest

/// `panoptes validate`: exit codes, every problem with file:line:column, and `--print`.
final class ValidateCommandTests: XCTestCase {
    func testValidate_samplePipeline_exits0() throws {
        let r = try runProcess(Fixtures.panoptes, ["validate", Fixtures.repoRoot.appendingPathComponent("Pipelines/sample.yaml").path])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertTrue(r.stderrText.contains("ok (2 cameras, pfsa-mobilenetv2)"), r.stderrText)
    }

    func testValidate_missingFilesAndUnfitWeights_exits2WithEveryProblem() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dets = dir.appendingPathComponent("a.det.txt")
        try Data("1,-1,10,10,20,40,0.9\n2,-1,oops\n".utf8).write(to: dets)
        // A safetensors file that holds one unrelated tensor: it does not fit the model.
        let weights = dir.appendingPathComponent("w.safetensors")
        let header = #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: header.utf8)
        data.append(contentsOf: [0, 0, 0, 0])
        try data.write(to: weights)
        let pipeline = dir.appendingPathComponent("p.yaml")
        try Data("""
            cameras:
              - id: a
                url: \(Fixtures.vtest.path)
                crop: [700, 0, 100, 100]
                detections:
                  path: a.det.txt
              - id: b
                url: nowhere.mp4
                detections:
                  path: nowhere.det.txt
            model:
              weights: w.safetensors
            on_error:
              bad_detection_line: fatal
            """.utf8).write(to: pipeline)
        let r = try runProcess(Fixtures.panoptes, ["validate", pipeline.path])
        XCTAssertEqual(r.status, 2, r.stderrText)
        let lines = r.stderrText.split(separator: "\n").map(String.init)
        let p = pipeline.path
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(p):4:11: crop [700, 0, 100, 100] does not fit the video's 768x576 frame") }, r.stderrText)
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(p):6:13: bad detection line") && $0.contains("a.det.txt:2:") }, r.stderrText)
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(p):8:10: no such file") && $0.contains("nowhere.mp4") }, r.stderrText)
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(p):10:13: no such file") && $0.contains("nowhere.det.txt") }, r.stderrText)
        XCTAssertTrue(lines.contains { $0.hasPrefix("\(p):12:12: ") && $0.contains("does not fit pfsa-mobilenetv2") }, r.stderrText)
    }

    func testValidate_liveDetections_acceptsAStreamNotMadeYet_refusesAMissingFolderAndBadLinesUnderFatal() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pipeline = dir.appendingPathComponent("p.yaml")
        func write(_ detections: String, fatal: Bool) throws {
            try Data(("""
                cameras:
                  - id: gate
                    url: udp://127.0.0.1:5000
                    detections:
                      path: \(detections)
                model:
                  weights: \(Fixtures.mobilenetWeights.path)

                """ + (fatal ? "on_error:\n  bad_detection_line: fatal\n" : "")).utf8).write(to: pipeline)
        }
        // The detector has not started: the stream is followed once it appears.
        try write("gate.jsonl", fatal: false)
        var r = try runProcess(Fixtures.panoptes, ["validate", pipeline.path])
        XCTAssertEqual(r.status, 0, r.stderrText)
        XCTAssertEqual(r.stderrText, """
            warning: \(dir.path)/gate.jsonl does not exist yet: the run follows it once the detector creates it
            \(pipeline.path): ok (1 cameras, pfsa-mobilenetv2)
            """ + "\n")

        try write("nowhere/gate.jsonl", fatal: false)
        r = try runProcess(Fixtures.panoptes, ["validate", pipeline.path])
        XCTAssertEqual(r.status, 2, r.stderrText)
        XCTAssertTrue(r.stderrText.hasPrefix("\(pipeline.path):5:13: no folder \(dir.path)/nowhere for the detection stream gate.jsonl — "
                                             + "create it, or point `path` where the detector writes"), r.stderrText)

        try Data("{\"pts\": 1.5}\n{\"frame\": 2, \"x\": 1, \"y\": 1, \"w\": 1, \"h\": 1}\n".utf8).write(to: dir.appendingPathComponent("gate.jsonl"))
        try write("gate.jsonl", fatal: true)
        r = try runProcess(Fixtures.panoptes, ["validate", pipeline.path])
        XCTAssertEqual(r.status, 2, r.stderrText)
        XCTAssertTrue(r.stderrText.hasPrefix("\(pipeline.path):5:13: bad detection line (on_error.bad_detection_line is fatal): "
                                             + "\(dir.path)/gate.jsonl:2: a live camera's detection lines are keyed by `pts`"), r.stderrText)
    }

    func testValidate_print_yamlAndJSONAgreeAndPyYAMLReadsTheYAML() throws {
        let sample = Fixtures.repoRoot.appendingPathComponent("Pipelines/sample.yaml").path
        let yaml = try runProcess(Fixtures.panoptes, ["validate", sample, "--print"])
        XCTAssertEqual(yaml.status, 0, yaml.stderrText)
        for key in ["match_threshold:", "max_cosine_distance:", "fsync: periodic", "bad_detection_line: skip", "frames_per_camera: 8"] {
            XCTAssertTrue(yaml.stdoutText.contains(key), "--print fills \(key)")
        }
        let json = try runProcess(Fixtures.panoptes, ["validate", sample, "--print", "--json"])
        XCTAssertEqual(json.status, 0, json.stderrText)
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let yamlFile = dir.appendingPathComponent("e.yaml"), jsonFile = dir.appendingPathComponent("e.json")
        try yaml.stdout.write(to: yamlFile)
        try json.stdout.write(to: jsonFile)
        let check = try runProcess(Fixtures.python, ["-c", """
            import json, sys, yaml
            a = yaml.safe_load(open(sys.argv[1]))
            b = json.load(open(sys.argv[2]))
            print("same" if a == b else "differ: %r vs %r" % (a, b))
            """, yamlFile.path, jsonFile.path])
        XCTAssertEqual(check.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines), "same", check.stderrText)
    }
}
