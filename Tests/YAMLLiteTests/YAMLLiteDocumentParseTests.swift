import Foundation
import TestSupport
import XCTest
import YAMLLite

/// Parsing is judged by PyYAML: every valid document must load to exactly what `yaml.safe_load` gives.
final class YAMLLiteDocumentParseTests: XCTestCase {
    func testParse_handWrittenDocuments_matchPyYAML() throws {
        let documents = ValidDocuments.all
        XCTAssertGreaterThanOrEqual(documents.count, 100)
        let peer = try PyYAMLPeer.load(documents)
        for (text, expected) in zip(documents, peer) {
            guard case .value(let pyyaml) = expected else {
                XCTFail("PyYAML did not load \(text.debugDescription): \(expected)")
                continue
            }
            switch parseOutcome(text) {
            case .success(let ours):
                XCTAssertEqual(ours, pyyaml, "document \(text.debugDescription)")
            case .failure(let error):
                XCTFail("refused \(text.debugDescription): \(error)")
            }
        }
    }

    func testParse_generatedDocumentsAndTheirEncoding_matchPyYAMLAndTheirMeaning() throws {
        var generator = RandomDocument(seed: 2026)
        let documents = (0..<400).map { _ in generator.document() }
        // Each meaning also goes through the encoder, so its canonical spelling is judged too.
        let encoded = try documents.map { try YAMLLiteEncoder().encode($0.value) }
        let texts = documents.map(\.text) + encoded
        let meanings = documents.map(\.value) + documents.map(\.value)
        let peer = try PyYAMLPeer.load(texts)
        for ((text, meaning), expected) in zip(zip(texts, meanings), peer) {
            XCTAssertEqual(expected, .value(meaning), "PyYAML on \(text.debugDescription)")
            switch parseOutcome(text) {
            case .success(let ours):
                XCTAssertEqual(ours, meaning, "document \(text.debugDescription)")
            case .failure(let error):
                XCTFail("refused \(text.debugDescription): \(error)")
            }
        }
    }

    /// Random spellings from the characters numbers, nulls and booleans are made of: each one we
    /// accept must mean what PyYAML says; each one we refuse as ambiguous must be one PyYAML does not
    /// read as that plain string.
    func testParse_randomPlainScalars_resolveAsPyYAMLOrAreRefusedForAReason() throws {
        var rng = SeededGenerator(seed: 11)
        let wide = Array("0123456789_.:+-eExbo~nulNaifyYsrt ")
        let numeric = Array("0123456789_.:+-e")
        var tokens = Set<String>()
        while tokens.count < 3000 {
            let alphabet = tokens.count % 2 == 0 ? wide : numeric
            let length = Int.random(in: 1...9, using: &rng)
            let token = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
            tokens.insert(token.trimmingCharacters(in: .whitespaces))
        }
        tokens.remove("")
        let list = tokens.sorted()
        let documents = list.map { "v: \($0)\n" }
        let peer = try PyYAMLPeer.load(documents)
        var accepted = 0, ambiguous = 0
        for (token, (document, expected)) in zip(list, zip(documents, peer)) {
            switch parseOutcome(document) {
            case .success(let ours):
                accepted += 1
                XCTAssertEqual(PyYAMLPeer.Outcome.value(ours), expected, "token \(token.debugDescription)")
            case .failure(let error) where error.code == .ambiguousScalar:
                ambiguous += 1
                XCTAssertNotEqual(expected, .value(.mapping([.init(key: "v", value: .string(token))])),
                                  "refused \(token.debugDescription) that PyYAML reads as the same string: \(error)")
            case .failure:
                break  // outside the subset (e.g. `: ` inside the value): refusing is always allowed
            }
        }
        XCTAssertGreaterThan(accepted, 2000)
        XCTAssertGreaterThan(ambiguous, 10)
    }

    func testParse_pipeline_marksEveryNodeAndKey() throws {
        let text = """
            name: lobby
            cameras:
              - id: cam1
                url: a.avi
              - id: cam2
                url: "b.avi"
            size: [384, 128]
            empty:
            """
        let document = try YAMLLiteDocument.parse(text, file: "p.yaml")
        guard case .mapping(let top) = document.root.kind else { return XCTFail("not a mapping") }
        XCTAssertEqual(top.map(\.keyMark), [.init(line: 1, column: 1), .init(line: 2, column: 1), .init(line: 7, column: 1), .init(line: 8, column: 1)])
        XCTAssertEqual(top[0].value.mark, .init(line: 1, column: 7))
        XCTAssertEqual(top[1].value.mark, .init(line: 3, column: 3))
        XCTAssertEqual(top[2].value.mark, .init(line: 7, column: 7))
        XCTAssertEqual(top[3].value.mark, .init(line: 8, column: 1), "an empty value sits at its key")
        guard case .sequence(let cameras) = top[1].value.kind, case .mapping(let second) = cameras[1].kind else {
            return XCTFail("cameras is not a list of mappings")
        }
        XCTAssertEqual(cameras[1].mark, .init(line: 5, column: 5))
        XCTAssertEqual(second[1].keyMark, .init(line: 6, column: 5))
        XCTAssertEqual(second[1].value.mark, .init(line: 6, column: 10))
        XCTAssertEqual(second[1].value.source, "\"b.avi\"")
        guard case .sequence(let size) = top[2].value.kind else { return XCTFail("size is not a list") }
        XCTAssertEqual(size.map(\.mark), [.init(line: 7, column: 8), .init(line: 7, column: 13)])
    }

    func testLoad_missingFile_namesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/pipeline.yaml")
        XCTAssertThrowsError(try YAMLLiteDocument.load(contentsOf: url)) { error in
            let error = error as? YAMLLiteError
            XCTAssertEqual(error?.code, .unreadableFile)
            XCTAssertEqual(error?.file, "/nonexistent/pipeline.yaml")
            XCTAssertTrue(error?.description.hasPrefix("/nonexistent/pipeline.yaml: no such file — check the path") ?? false,
                          error?.description ?? "")
        }
    }

    func testLoad_fileOnDisk_parsesWithItsPathInErrors() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("bad.yaml")
        try Data("a: 1\nb: &x 2\n".utf8).write(to: url)
        XCTAssertThrowsError(try YAMLLiteDocument.load(contentsOf: url)) { error in
            XCTAssertEqual((error as? YAMLLiteError)?.description,
                           "\(url.path):2:4: anchor `&x` is not supported — YAML-lite has no anchors or aliases: write the value out in full where it is used")
        }
        try Data("a: 1\n".utf8).write(to: url)
        XCTAssertEqual(try YAMLLiteDocument.load(contentsOf: url).value, .mapping([.init(key: "a", value: .int(1))]))
    }

    func testLoad_invalidUTF8_pointsAtTheByte() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("latin1.yaml")
        try Data([0x61, 0x3A, 0x20, 0x31, 0x0A, 0x62, 0x3A, 0x20, 0xE9, 0x0A]).write(to: url)
        XCTAssertThrowsError(try YAMLLiteDocument.load(contentsOf: url)) { error in
            let error = error as? YAMLLiteError
            XCTAssertEqual(error?.code, .invalidCharacter)
            XCTAssertEqual(error?.mark, YAMLMark(line: 2, column: 4))
        }
    }
}
