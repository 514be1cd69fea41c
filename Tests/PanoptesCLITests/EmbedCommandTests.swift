import Foundation
import TestSupport
import XCTest

/// `panoptes embed` end to end on real person crops of vtest.avi, against ONNX Runtime on the same
/// weights fed by Pillow's preprocessing of the same files.
final class EmbedCommandTests: XCTestCase {
    /// Writes `count` person-sized crops of vtest.avi frames as PNG with the ffmpeg CLI.
    func writeCrops(count: Int, in dir: URL) throws -> [URL] {
        try (1...count).map { i in
            let url = dir.appendingPathComponent("crop \(i).png")  // a space: paths pass through untouched
            let result = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
                "-v", "error", "-y", "-i", Fixtures.vtest.path,
                "-vf", "select=eq(n\\,\(i * 90)),crop=\(40 + i * 7):\(100 + i * 13):\(80 * i):\(40 * i)", "-frames:v", "1", url.path,
            ])
            XCTAssertEqual(result.status, 0, result.stderrText)
            return url
        }
    }

    /// A float32 C-order .npy: shape and values (the test's own reader).
    func readNPY(_ url: URL) throws -> (shape: [Int], values: [Float], descr: String) {
        let data = try Data(contentsOf: url)
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        let shapeText = header.components(separatedBy: "'shape': (")[1].components(separatedBy: ")")[0]
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let descr = header.components(separatedBy: "'descr': '")[1].components(separatedBy: "'")[0]
        let values = data[(10 + headerLength)...].withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        return (shape, values, descr)
    }

    func testEmbed_mobileNetCrops_npyMatchesONNXRuntimeAndJSONL() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let crops = try writeCrops(count: 5, in: dir)
        let npy = dir.appendingPathComponent("emb.npy")
        let run = try runProcess(Fixtures.panoptes, ["embed", "--model", "pfsa-mobilenetv2", "--weights",
                                                      Fixtures.mobilenetWeights.path, "--batch", "2", "--out", npy.path] + crops.map(\.path))
        XCTAssertEqual(run.status, 0, run.stderrText)
        let ours = try readNPY(npy)
        XCTAssertEqual(ours.descr, "<f4")
        XCTAssertEqual(ours.shape, [5, 1280])

        // The peer: Pillow preprocesses each file, ONNX Runtime runs the same weights.
        var inputs: [Float] = []
        for (i, crop) in crops.enumerated() {
            let prefix = dir.appendingPathComponent("pil\(i)").path
            let size = try runProcess(URL(fileURLWithPath: "/usr/bin/ffprobe"), [
                "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", crop.path,
            ]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").map { Int($0)! }
            try runPeer("engine_pillow.py", [crop.path, "256", "128", prefix, "0,0,\(size[0]),\(size[1])"])
            inputs += try readNPY(URL(fileURLWithPath: prefix + "_input.npy")).values
        }
        let inputURL = dir.appendingPathComponent("input.npy")
        try npyData(shape: [5, 3, 256, 128], values: inputs).write(to: inputURL)
        let weights = dir.appendingPathComponent("w.safetensors")
        try runPeer("engine_onnx.py", ["weights", "mobilenetv2", weights.path, "--from", Fixtures.mobilenetWeights.path])
        let ortURL = dir.appendingPathComponent("ort.npy")
        try runPeer("engine_onnx.py", ["run", "pfsa-mobilenetv2", weights.path, inputURL.path, ortURL.path])
        let reference = try readNPY(ortURL)
        XCTAssertEqual(reference.shape, [5, 1280])
        let maxValue = reference.values.map(abs).max()!
        let maxError = zip(ours.values, reference.values).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(maxError, 1e-4 * maxValue, "max abs error \(maxError) vs max |value| \(maxValue)")

        // Without --out: JSON lines on stdout, the same numbers (same batching), images in order.
        let jsonRun = try runProcess(Fixtures.panoptes, ["embed", "--model", "pfsa-mobilenetv2", "--weights",
                                                          Fixtures.mobilenetWeights.path, "--batch", "2"] + crops.map(\.path))
        XCTAssertEqual(jsonRun.status, 0, jsonRun.stderrText)
        let lines = jsonRun.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, 5)
        for (i, line) in lines.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            XCTAssertEqual(object["image"] as? String, crops[i].path)
            let embedding = (object["embedding"] as! [NSNumber]).map { $0.floatValue }
            let expected = Array(ours.values[(i * 1280)..<((i + 1) * 1280)])
            XCTAssertEqual(embedding.count, 1280)
            XCTAssertEqual(zip(embedding, expected).filter { $0 != $1 }.count, 0, "line \(i) differs from the .npy row")
        }
    }

    /// An embedding depends on its image only: not on the threads, nor on the batch around it. One thread
    /// at batch 1 runs MobileNetV2's blocks on whole images; three threads cut one image's rows into three
    /// bands (the middle one between two neighbours), and at batch 2 the middle thread holds the end of
    /// one image and the start of the next, two bands whose residual outputs wait until the others are done.
    func testEmbed_bitIdenticalWhateverTheThreadsAndTheBatch() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let crops = try writeCrops(count: 3, in: dir)
        func embed(threads: Int, batch: Int) throws -> [Float] {
            let npy = dir.appendingPathComponent("t\(threads)b\(batch).npy")
            var environment = ProcessInfo.processInfo.environment
            environment["PANOPTES_THREADS"] = String(threads)
            let run = try runProcess(Fixtures.panoptes, ["embed", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path,
                                                          "--batch", String(batch), "--out", npy.path] + crops.map(\.path),
                                     environment: environment)
            XCTAssertEqual(run.status, 0, run.stderrText)
            let embeddings = try readNPY(npy)
            XCTAssertEqual(embeddings.shape, [3, 1280])
            return embeddings.values
        }
        let reference = try embed(threads: 1, batch: 1)
        for (threads, batch) in [(3, 1), (3, 2), (2, 3)] {
            let values = try embed(threads: threads, batch: batch)
            XCTAssertEqual(zip(values, reference).filter { $0 != $1 }.count, 0, "\(threads) threads, batch \(batch)")
        }
    }

    /// The .npy is written over an existing, longer file (nothing of it left past the new array), and an
    /// output folder that does not exist is named with the reason, after the embedding ran.
    func testEmbed_npyReplacesAnExistingFile_andAMissingFolderIsNamed() throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let crops = try writeCrops(count: 2, in: dir)
        let npy = dir.appendingPathComponent("out.npy")
        try Data(repeating: 0xAB, count: 1 << 20).write(to: npy)
        let arguments = ["embed", "--model", "pfsa-mobilenetv2", "--weights", Fixtures.mobilenetWeights.path, "--out"]
        let run = try runProcess(Fixtures.panoptes, arguments + [npy.path] + crops.map(\.path))
        XCTAssertEqual(run.status, 0, run.stderrText)
        let embeddings = try readNPY(npy)
        XCTAssertEqual(embeddings.shape, [2, 1280])
        XCTAssertEqual(try Data(contentsOf: npy).count, 128 + 2 * 1280 * 4, "header, values, nothing of the old file")

        let missing = try runProcess(Fixtures.panoptes, arguments + ["/nonexistent/dir/e.npy"] + crops.map(\.path))
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderrText, "error: cannot write /nonexistent/dir/e.npy: The operation could not be completed. "
                       + "No such file or directory; check the folder exists and is writable\n")
    }

    func testEmbed_missingImage_exitsOneNamingThePath() throws {
        let result = try runProcess(Fixtures.panoptes, ["embed", "--model", "pfsa-mobilenetv2", "--weights",
                                                         Fixtures.mobilenetWeights.path, "/no/such/person.png"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderrText.contains("/no/such/person.png"), result.stderrText)
        XCTAssertEqual(result.stdout.count, 0)
    }

    func testEmbed_badInputSize_exitsTwoSayingWhatToDo() throws {
        let result = try runProcess(Fixtures.panoptes, ["embed", "--model", "pfsa-mobilenetv2", "--weights",
                                                         Fixtures.mobilenetWeights.path, "--input", "256by128", "x.png"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("--input must look like 256x128"), result.stderrText)
    }

    func testEmbed_unknownModel_exitsTwo() throws {
        let result = try runProcess(Fixtures.panoptes, ["embed", "--model", "resnet18", "--weights", "w.pt", "x.png"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("pfsa-resnet50"), result.stderrText)
    }

    /// A float32 .npy file's bytes (the test's own writer).
    func npyData(shape: [Int], values: [Float]) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", ")),), }"
        header += String(repeating: " ", count: (64 - (11 + header.utf8.count) % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)])
        data.append(Data(header.utf8))
        values.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }
}
