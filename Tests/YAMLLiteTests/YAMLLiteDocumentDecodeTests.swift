import Foundation
import XCTest
import YAMLLite

/// A small pipeline-like config, decoded the way the Pipeline module's structs will be.
private struct TestPipeline: Decodable, Equatable {
    var name: String
    var cameras: [TestCamera]
    var batchSize: Int
    var threshold: Double
    var live: Bool?
    var labels: [String: String]?
    var mode: TestMode?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, cameras, batchSize = "batch_size", threshold, live, labels, mode
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        cameras = try c.decode([TestCamera].self, forKey: .cameras)
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? 8
        guard batchSize >= 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: .batchSize, in: c, debugDescription: "batch_size must be at least 1 — write 1 or more")
        }
        threshold = try c.decodeIfPresent(Double.self, forKey: .threshold) ?? 0.5
        guard (0...1).contains(threshold) else {
            throw DecodingError.dataCorruptedError(forKey: .threshold, in: c, debugDescription: "threshold must be between 0 and 1")
        }
        live = try c.decodeIfPresent(Bool.self, forKey: .live)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        mode = try c.decodeIfPresent(TestMode.self, forKey: .mode)
    }
}

private struct TestCamera: Decodable, Equatable {
    var id: String
    var url: URL
    var fps: Double?
    var size: [Int]?

    enum CodingKeys: String, CodingKey, CaseIterable { case id, url, fps, size }
}

private enum TestMode: String, Decodable, CaseIterable { case offline, live }

/// Refuses every value with an error that is not a `DecodingError`.
private struct Refusing: Decodable {
    struct Refusal: Error, CustomStringConvertible { var description: String { "this value is refused" } }
    init(from decoder: any Decoder) throws { throw Refusal() }
}

final class YAMLLiteDocumentDecodeTests: XCTestCase {
    private let valid = """
        name: lobby
        cameras:
          - id: cam1
            url: Samples/data/vtest.avi
            fps: 25
          - id: cam2
            url: rtsp://10.0.0.5:554/stream
            size: [384, 128]
        batch_size: 4
        threshold: 1
        live: ~
        labels:
          Any Key: x
          yes please: y
        mode: offline
        """

    private func decodeError(_ text: String) -> YAMLLiteError? {
        do {
            _ = try YAMLLiteDocument.parse(text, file: "p.yaml").decode(TestPipeline.self)
            return nil
        } catch {
            return error
        }
    }

    func testDecode_validPipeline_fillsEveryField() throws {
        let pipeline = try YAMLLiteDocument.parse(valid, file: "p.yaml").decode(TestPipeline.self)
        XCTAssertEqual(pipeline.name, "lobby")
        XCTAssertEqual(pipeline.cameras, [
            TestCamera(id: "cam1", url: URL(string: "Samples/data/vtest.avi")!, fps: 25, size: nil),
            TestCamera(id: "cam2", url: URL(string: "rtsp://10.0.0.5:554/stream")!, fps: nil, size: [384, 128]),
        ])
        XCTAssertEqual(pipeline.batchSize, 4)
        XCTAssertEqual(pipeline.threshold, 1.0, "an integer fills a Double field")
        XCTAssertNil(pipeline.live, "`~` is an absent optional")
        XCTAssertEqual(pipeline.labels, ["Any Key": "x", "yes please": "y"], "dictionary keys are taken as they are")
        XCTAssertEqual(pipeline.mode, .offline)
    }

    func testDecode_unknownKey_suggestsTheNearestKnownKey() {
        let text = valid.replacingOccurrences(of: "cameras:", with: "camras:")
        XCTAssertEqual(decodeError(text)?.description, "p.yaml:2:1: unknown key `camras` — did you mean `cameras`?")
    }

    func testDecode_unknownNestedKey_isReportedAtTheKey() {
        let text = valid.replacingOccurrences(of: "    fps: 25", with: "    fsp: 25")
        let error = decodeError(text)
        XCTAssertEqual(error?.code, .unknownKey)
        XCTAssertEqual(error?.description, "p.yaml:5:5: unknown key `fsp` — did you mean `fps`?")
    }

    func testDecode_unknownKeyFarFromAll_listsTheKnownKeys() {
        let text = valid + "\nzzzzzzzz: 1"
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:16:1: unknown key `zzzzzzzz` — the keys allowed here are `name`, `cameras`, `batch_size`, `threshold`, `live`, `labels`, `mode`")
    }

    func testDecode_wordForAnInteger_namesTypeFieldAndFoundText() {
        let text = valid.replacingOccurrences(of: "batch_size: 4", with: "batch_size: eight")
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:9:13: expected an integer for `batch_size`, found `eight` — write a whole number such as 8")
    }

    func testDecode_mismatchInsideAList_rendersThePathWithIndexes() {
        let text = valid.replacingOccurrences(of: "size: [384, 128]", with: "size: [384, wide]")
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:8:17: expected an integer for `cameras[1].size[1]`, found `wide` — write a whole number such as 8")
    }

    func testDecode_numberWrittenLikeYAML12_explainsTheYAML11Reading() {
        let text = valid.replacingOccurrences(of: "threshold: 1", with: "threshold: 1e-1")
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:10:12: expected a number for `threshold`, found `1e-1` — YAML 1.1 reads `1e-1` as text: write it with a decimal point and a signed exponent, such as 0.1")
    }

    func testDecode_numberForAString_suggestsQuoting() {
        let text = valid.replacingOccurrences(of: "name: lobby", with: "name: 2024")
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:1:7: expected a string for `name`, found `2024` — quote it if you mean text: '2024'")
    }

    func testDecode_emptyValueForAList_saysItFoundNothing() {
        let text = "name: x\ncameras:\n"
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:2:1: expected a list for `cameras`, found nothing — write the items as `- item` lines under `cameras:`, or as [a, b]")
    }

    func testDecode_missingKey_isReportedAtItsMappingWithWhatToAdd() {
        let text = valid.replacingOccurrences(of: "    url: rtsp://10.0.0.5:554/stream\n", with: "")
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:6:5: missing key `url` in `cameras[1]` — add `url: <path or URL>`")
    }

    func testDecode_missingTopLevelKey_saysTopLevel() {
        XCTAssertEqual(decodeError("cameras: []\n")?.description,
                       "p.yaml:1:1: missing key `name` at the top level — add `name: <text>`")
    }

    func testDecode_dataCorruptedFromInit_isReportedAtTheValue() {
        let text = valid.replacingOccurrences(of: "batch_size: 4", with: "batch_size: 0")
        let error = decodeError(text)
        XCTAssertEqual(error?.code, .invalidValue)
        XCTAssertEqual(error?.description, "p.yaml:9:13: batch_size must be at least 1 — write 1 or more")
    }

    func testDecode_dataCorruptedWithoutHint_suggestsChangingTheValue() {
        let text = valid.replacingOccurrences(of: "threshold: 1", with: "threshold: 1.5")
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:10:12: threshold must be between 0 and 1 — change the value of `threshold`")
    }

    func testDecode_valueOutsideAnEnum_listsTheChoices() {
        let text = valid.replacingOccurrences(of: "mode: offline", with: "mode: batch")
        let error = decodeError(text)
        XCTAssertEqual(error?.code, .invalidValue)
        XCTAssertEqual(error?.description, "p.yaml:15:7: expected one of `offline`, `live` for `mode`, found `batch` — write one of them")
    }

    func testDecode_misspeltEnumValue_suggestsTheNearestChoice() {
        let text = valid.replacingOccurrences(of: "mode: offline", with: "mode: ofline")
        XCTAssertEqual(decodeError(text)?.description,
                       "p.yaml:15:7: expected one of `offline`, `live` for `mode`, found `ofline` — did you mean `offline`?")
    }

    func testDecode_foreignErrorFromInit_isReportedAtTheNode() {
        struct Holder: Decodable { var inner: Refusing }
        XCTAssertThrowsError(try YAMLLiteDocument.parse("inner:\n  x: 1\n", file: "h.yaml").decode(Holder.self)) { error in
            XCTAssertEqual((error as? YAMLLiteError)?.description,
                           "h.yaml:2:3: this value is refused — change the value of `inner`")
        }
    }

    func testDecode_keyNotFoundFromInit_isReportedAtTheMapping() {
        struct Picky: Decodable {
            enum CodingKeys: String, CodingKey { case a, b }
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                if !c.contains(.b) {
                    throw DecodingError.keyNotFound(CodingKeys.b, .init(codingPath: c.codingPath, debugDescription: "b is needed with a"))
                }
            }
        }
        struct Holder: Decodable { var picky: Picky }
        XCTAssertThrowsError(try YAMLLiteDocument.parse("picky:\n  a: 1\n", file: "k.yaml").decode(Holder.self)) { error in
            XCTAssertEqual((error as? YAMLLiteError)?.description, "k.yaml:2:3: missing key `b` in `picky` — add `b: <value>`")
        }
    }

    func testDecode_nonCaseIterableKeys_acceptUnknownKeys() throws {
        struct Loose: Decodable { var a: Int }
        let loose = try YAMLLiteDocument.parse("a: 1\nextra: 2\n", file: "l.yaml").decode(Loose.self)
        XCTAssertEqual(loose.a, 1)
    }

    func testDecode_outOfRangeForSmallInteger_namesTheRange() {
        struct Small: Decodable { var v: UInt8 }
        XCTAssertThrowsError(try YAMLLiteDocument.parse("v: 300\n", file: "s.yaml").decode(Small.self)) { error in
            XCTAssertEqual((error as? YAMLLiteError)?.description,
                           "s.yaml:1:4: `300` is out of range for `v` — write a whole number from 0 to 255")
        }
    }

    func testMark_codingPathOfADecodedField_pointsAtItsValue() throws {
        let document = try YAMLLiteDocument.parse(valid, file: "p.yaml")
        XCTAssertEqual(document.mark(at: [TestPipeline.CodingKeys.cameras, YAMLLiteIndexKey(1), TestCamera.CodingKeys.url]),
                       YAMLMark(line: 7, column: 10))
        XCTAssertEqual(document.mark(at: [TestPipeline.CodingKeys.cameras, YAMLLiteIndexKey(1), TestCamera.CodingKeys.size, YAMLLiteIndexKey(1)]),
                       YAMLMark(line: 8, column: 17))
        XCTAssertEqual(document.mark(at: []), YAMLMark(line: 1, column: 1))
        XCTAssertNil(document.mark(at: [TestPipeline.CodingKeys.cameras, YAMLLiteIndexKey(2)]))
        XCTAssertNil(document.mark(at: [TestPipeline.CodingKeys.mode, TestCamera.CodingKeys.id]))
    }

    func testMark_codingPathSeenByADecoder_locatesTheValue() throws {
        /// Keeps the coding path its decoder was given, as a later semantic check would.
        struct Probe: Decodable {
            var path: [any CodingKey]
            init(from decoder: any Decoder) throws { path = decoder.codingPath }
        }
        struct Holder: Decodable { var cameras: [[String: Probe]] }
        let document = try YAMLLiteDocument.parse("cameras:\n  - id: a\n  - url: b\n", file: "p.yaml")
        let path = try document.decode(Holder.self).cameras[1]["url"]!.path
        XCTAssertEqual(path.map(\.stringValue), ["cameras", "1", "url"])
        XCTAssertEqual(document.mark(at: path), YAMLMark(line: 3, column: 10))
    }
}
