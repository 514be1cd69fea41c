import Foundation
import TestSupport
import XCTest
@testable import ReIDNet

/// What a model-side refusal says: the file when there is one, and one error type per mistake.
final class ModelErrorTests: XCTestCase {
    func testDamagedNpyFile_namesTheFileAndWhatToDo() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("features.npy")
        try Data("not numpy".utf8).write(to: url)
        XCTAssertThrowsError(try NumpyArray(contentsOf: url)) { error in
            XCTAssertEqual(error as? ModelError, ModelError(.badArrayFile(detail: "not a .npy file (no \\x93NUMPY magic)"), path: url.path))
            XCTAssertEqual(
                "\(error)",
                "\(url.path): not a .npy file (no \\x93NUMPY magic); write it with numpy.save as a float32 C-order array")
        }
    }

    func testMissingAndMisshapedTensor_ofAnInMemorySource_areWeightsErrors() {
        let source = TensorDictionary(["fc.weight": (shape: [2, 3], values: [Float](repeating: 0, count: 6))])
        XCTAssertThrowsError(try source.floats("fc.bias", shape: [2])) { error in
            XCTAssertEqual((error as? WeightsError)?.kind, .missingTensor(key: "fc.bias", expectedShape: [2]))
        }
        XCTAssertThrowsError(try source.floats("fc.weight", shape: [3, 2])) { error in
            XCTAssertEqual((error as? WeightsError)?.kind, .shapeMismatch(key: "fc.weight", storedName: "fc.weight", expected: [3, 2], actual: [2, 3]))
        }
    }
}
