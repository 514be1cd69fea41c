import Foundation
import TestSupport
import XCTest
@testable import Evaluation

/// Reading a data set folder: order, junk, distractors and every error a user can meet.
final class ReIDDatasetTests: XCTestCase {
    private func makeDataset(query: [String], gallery: [String]) throws -> URL {
        let root = try Fixtures.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        for (folder, names) in [("query", query), ("bounding_box_test", gallery)] {
            let dir = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for name in names { _ = FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data()) }
        }
        return root
    }

    func testLoad_marketFolder_sortsDropsJunkKeepsDistractors() throws {
        let root = try makeDataset(
            query: ["0003_c2s1_000100_01.jpg", "0001_c1s1_000001_01.jpg"],
            gallery: ["0001_c2s1_000050_01.jpg", "-1_c1s1_000002_01.jpg", "0000_c3s1_000003_02.jpg", "Thumbs.db"])
        let dataset = try ReIDDataset(root: root)
        XCTAssertEqual(dataset.scheme, .market1501)
        XCTAssertEqual(dataset.query.map(\.url.lastPathComponent), ["0001_c1s1_000001_01.jpg", "0003_c2s1_000100_01.jpg"])
        XCTAssertEqual(dataset.gallery.map(\.label), [PersonLabel(personID: 0, camera: 3), PersonLabel(personID: 1, camera: 2)])
        XCTAssertEqual(dataset.junkCount, 1)
    }

    func testLoad_dukeFolder_detectsScheme() throws {
        let root = try makeDataset(query: ["0005_c2_f0046182.jpg"], gallery: ["0005_c3_f0000001.jpg"])
        let dataset = try ReIDDataset(root: root)
        XCTAssertEqual(dataset.scheme, .dukeMTMCreID)
        XCTAssertEqual(dataset.gallery.first?.label, PersonLabel(personID: 5, camera: 3))
    }

    func testLoad_malformedName_errorNamesFileAndPattern() throws {
        let root = try makeDataset(query: ["0001_c1s1_000001_01.jpg"], gallery: ["0001_c2s1_000050_01.jpg", "person7.jpg"])
        XCTAssertThrowsError(try ReIDDataset(root: root)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("bounding_box_test/person7.jpg"), text)
            XCTAssertTrue(text.contains("PPPP_cCsS_FFFFFF_NN.jpg"), text)
            XCTAssertTrue(text.contains("PPPP_cC_fFFFFFFF.jpg"), text)
        }
    }

    func testLoad_mixedSchemes_errorNamesFile() throws {
        let root = try makeDataset(query: ["0001_c1s1_000001_01.jpg"], gallery: ["0001_c2_f0046182.jpg"])
        XCTAssertThrowsError(try ReIDDataset(root: root)) { error in
            XCTAssertEqual((error as? EvaluationError)?.code,
                           .mixedNamingSchemes(path: root.appendingPathComponent("bounding_box_test/0001_c2_f0046182.jpg").path,
                                               expected: "PPPP_cCsS_FFFFFF_NN.jpg"))
        }
    }

    func testLoad_emptyQueryFolder_errorNamesFolder() throws {
        let root = try makeDataset(query: ["Thumbs.db"], gallery: ["0001_c2s1_000050_01.jpg"])
        XCTAssertThrowsError(try ReIDDataset(root: root)) { error in
            XCTAssertEqual((error as? EvaluationError)?.code, .emptyFolder(path: root.appendingPathComponent("query").path))
            XCTAssertTrue(String(describing: error).contains("no .jpg image in this folder"))
        }
    }

    func testLoad_missingGalleryFolder_errorSaysWhatToPass() throws {
        let root = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("query"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent("query/0001_c1s1_000001_01.jpg").path, contents: Data())
        XCTAssertThrowsError(try ReIDDataset(root: root)) { error in
            XCTAssertEqual((error as? EvaluationError)?.code, .missingFolder(path: root.appendingPathComponent("bounding_box_test").path))
        }
    }
}
