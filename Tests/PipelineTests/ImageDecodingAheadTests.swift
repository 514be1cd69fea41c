import Foundation
import ReIDNet
import TestSupport
import VideoIO
import XCTest

@testable import Pipeline

/// Images decoded ahead (while a network is built) are the images decoded in the batch: the same
/// pixels, the same error for an image that cannot be decoded, the same embeddings.
final class ImageDecodingAheadTests: XCTestCase {
    /// Person-sized crops of vtest.avi written as PNG, and a path that does not exist at `missing`.
    private func crops(in folder: URL, count: Int, missing: Int?) throws -> [String] {
        let reader = try VideoReader(url: Fixtures.vtest.path)
        var paths: [String] = []
        for i in 0..<count {
            guard let frame = try reader.nextFrame() else { break }
            let path = folder.appendingPathComponent("crop-\(i).png").path
            try ImageWriter.write(frame.region(x: 40 + 50 * i, y: 60 + 20 * i, width: 30 + 7 * i, height: 90 + 5 * i), to: path)
            paths.append(i == missing ? folder.appendingPathComponent("gone-\(i).png").path : path)
        }
        return paths
    }

    func testDecodedAhead_equalsDecodedInTheBatch_imagesErrorsAndEmbeddings() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try crops(in: folder, count: 7, missing: 4)
        let ahead = ImageDecodingAhead(paths: paths)
        // Seven small images take milliseconds; then the thread has ended and `finish` returns them all.
        Thread.sleep(forTimeInterval: 1)
        let decoded = ahead.finish()
        XCTAssertEqual(decoded.count, paths.count)
        for (i, result) in decoded.enumerated() {
            switch (result, Result { () throws(VideoError) -> Frame in try ImageDecoder.decode(path: paths[i]) }) {
            case let (.success(early), .success(direct)):
                XCTAssertEqual(early.packedPixels(), direct.packedPixels(), "image \(i)")
                XCTAssertEqual(early.width, direct.width)
            case let (.failure(early), .failure(direct)):
                XCTAssertEqual(i, 4)
                XCTAssertEqual(early, direct)
                XCTAssertTrue("\(early)".contains("gone-4.png"), "\(early)")
            default:
                XCTFail("image \(i): decoded ahead \(result), directly the other way")
            }
        }
        XCTAssertEqual(ahead.finish().count, decoded.count, "a second finish returns the same")

        let embedder = ImageFileEmbedder(embedder: try NetworkCropEmbedder(
            architecture: .pfsaMobileNetV2, weights: Fixtures.mobilenetWeights, inputSize: (128, 64), maxBatch: 4))
        // The first four images (all there): some, all or none of them known ahead, the same bits.
        let good = Array(paths[..<4])
        let reference = try embedder.embedImages(good).values
        for known in [0, 2, 4] {
            XCTAssertEqual(try embedder.embedImages(good, decoded: decoded[..<known]).values, reference, "\(known) known")
        }
        // With the missing image among them, its error, whether it was decoded ahead or not.
        XCTAssertThrowsError(try embedder.embedImages(Array(paths[2...]), decoded: decoded[2..<6])) { error in
            XCTAssertTrue("\(error)".contains("gone-4.png"), "\(error)")
        }
        XCTAssertThrowsError(try embedder.embedImages(Array(paths[2...]))) { error in
            XCTAssertTrue("\(error)".contains("gone-4.png"), "\(error)")
        }
    }

    func testFinishingAtOnce_returnsThePrefixDecodedSoFar() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try crops(in: folder, count: 5, missing: nil)
        let decoded = ImageDecodingAhead(paths: paths).finish()
        XCTAssertLessThanOrEqual(decoded.count, paths.count)
        for (i, result) in decoded.enumerated() {
            XCTAssertEqual(try result.get().packedPixels(), try ImageDecoder.decode(path: paths[i]).packedPixels(), "image \(i)")
        }
    }
}
