import Foundation
import TestSupport
import XCTest
import YAMLLite

private struct EncodedCamera: Codable, Equatable {
    var id: String
    var url: URL
    var size: [Int]
    var fps: Double?
}

private struct EncodedPipeline: Codable, Equatable {
    var name: String
    var cameras: [EncodedCamera]
    var threshold: Double
    var live: Bool
    var labels: [String]
    var limits: [String: Int]
}

/// The encoder's text must read back as the same value, with this parser and with PyYAML.
final class YAMLLiteEncoderTests: XCTestCase {
    private func roundTrip(_ value: YAMLValue, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let text = try YAMLLiteEncoder().encode(value)
        XCTAssertEqual(try YAMLLiteDocument.parse(text, file: "enc.yaml").value, value, text, file: file, line: line)
        return text
    }

    func testEncode_config_writesBlockStyleWithShortFlowLists() throws {
        let pipeline = EncodedPipeline(
            name: "lobby",
            cameras: [
                EncodedCamera(id: "cam1", url: URL(string: "Samples/data/vtest.avi")!, size: [384, 128], fps: 25),
                EncodedCamera(id: "2", url: URL(string: "rtsp://10.0.0.5:554/s")!, size: [], fps: nil),
            ],
            threshold: 0.55, live: false, labels: ["yes", "a: b", "# x"], limits: [:])
        let text = try YAMLLiteEncoder().encode(pipeline)
        XCTAssertEqual(text, """
            name: lobby
            cameras:
              - id: cam1
                url: Samples/data/vtest.avi
                size: [384, 128]
                fps: 25.0
              - id: '2'
                url: rtsp://10.0.0.5:554/s
                size: []
            threshold: 0.55
            live: false
            labels: ['yes', 'a: b', '# x']
            limits: {}

            """)
        XCTAssertEqual(try YAMLLiteDocument.parse(text, file: "enc.yaml").decode(EncodedPipeline.self), pipeline)
    }

    func testEncode_stringsThatWouldReadAsSomethingElse_areQuoted() throws {
        let cases: [(String, String)] = [
            ("yes", "'yes'"), ("No", "'No'"), ("1.0", "'1.0'"), ("", "''"), ("a: b", "'a: b'"), ("# x", "'# x'"),
            ("  lead", "'  lead'"), ("trail ", "'trail '"), ("~", "'~'"), ("null", "'null'"), ("0x1F", "'0x1F'"),
            ("2001-12-14", "'2001-12-14'"), ("1:30", "'1:30'"), ("it's", "it's"), ("'q'", "'''q'''"),
            ("- x", "'- x'"), ("[x]", "'[x]'"), ("a #b", "'a #b'"), ("a\nb", "\"a\\nb\""), ("tab\there", "\"tab\\there\""),
            ("line\u{2028}separator", "\"line\\Lseparator\""), ("\u{FEFF}bom", "\"\\uFEFFbom\""),
            ("plain words", "plain words"), ("a#b", "a#b"), ("rtsp://h:554/s", "rtsp://h:554/s"), ("1e3", "1e3"),
        ]
        for (string, expected) in cases {
            let text = try roundTrip(.mapping([.init(key: "k", value: .string(string))]))
            XCTAssertEqual(text, "k: \(expected)\n", "for \(string.debugDescription)")
        }
    }

    func testEncode_doubles_keepAPointAndASignedExponent() throws {
        let cases: [(Double, String)] = [(0.5, "0.5"), (100, "100.0"), (1e-5, "1.0e-05"), (1e20, "1.0e+20"),
                                         (.infinity, ".inf"), (-.infinity, "-.inf"), (.nan, ".nan"), (-0.0, "-0.0")]
        for (value, expected) in cases {
            XCTAssertEqual(try roundTrip(.sequence([.double(value)])), "[\(expected)]\n")
        }
    }

    func testEncode_emptyAndNestedCollections_readBack() throws {
        _ = try roundTrip(.mapping([]))
        _ = try roundTrip(.sequence([]))
        _ = try roundTrip(.null)
        _ = try roundTrip(.sequence([.sequence([.sequence([.int(1)])]), .mapping([.init(key: "a", value: .mapping([]))])]))
        let long = YAMLValue.sequence((0..<20).map { .int($0) })
        XCTAssertTrue(try roundTrip(long).hasPrefix("- 0\n- 1\n"), "long lists are written one item per line")
    }

    func testEncode_randomTreesOfAwkwardStrings_readBackTheSameWithUsAndPyYAML() throws {
        var generator = RandomDocument(seed: 7)
        let trees = (0..<300).map { _ in generator.tree() }
        let texts = try trees.map { try YAMLLiteEncoder().encode($0) }
        let peer = try PyYAMLPeer.load(texts)
        for ((tree, text), expected) in zip(zip(trees, texts), peer) {
            XCTAssertEqual(expected, .value(tree), "PyYAML on \(text.debugDescription)")
            switch parseOutcome(text) {
            case .success(let ours): XCTAssertEqual(ours, tree, "ours on \(text.debugDescription)")
            case .failure(let error): XCTFail("refused our own output \(text.debugDescription): \(error)")
            }
        }
    }

    func testEncode_keyLongerThanYAMLAllows_throws() {
        let key = String(repeating: "k", count: 1025)
        XCTAssertThrowsError(try YAMLLiteEncoder().encode(YAMLValue.mapping([.init(key: key, value: .int(1))])))
    }
}
