import Foundation
import TestSupport
import XCTest
@testable import ReIDNet

/// `Embeddings.jsonLine`, read back by Python's `json` (the peer every user's script would use).
final class EmbeddingsJSONLineTests: XCTestCase {
    func testAwkwardImageName_andFloats_readBackExactlyByPythonJSON() throws {
        let name = "cam 1/\"odd\" name\\with\nnewline\ttab\u{01}bell é.jpg"
        let values: [Float] = [0.1, -0.5, 3e-8, 1 / 3]
        let embeddings = Embeddings(count: 1, dimension: values.count, values: values, attentionPeaks: [0])
        let file = try Fixtures.temporaryDirectory().appendingPathComponent("line.jsonl")
        try Data((embeddings.jsonLine(index: 0, image: name) + "\n").utf8).write(to: file)
        let script = """
            import json, struct, sys
            o = json.loads(open(sys.argv[1], encoding="utf-8").read())
            bits = [struct.unpack("<I", struct.pack("<f", v))[0] for v in o["embedding"]]
            print(json.dumps({"image": o["image"], "bits": bits}))
            """
        let run = try Peer.python(["-c", script, file.path])
        XCTAssertEqual(run.status, 0, run.stderrText)
        let back = try XCTUnwrap(JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
        XCTAssertEqual(back["image"] as? String, name)
        XCTAssertEqual(back["bits"] as? [UInt32], values.map(\.bitPattern), "floats do not read back to the same Float32")
    }
}
