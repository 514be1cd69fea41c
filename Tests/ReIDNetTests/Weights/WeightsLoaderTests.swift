import Foundation
import TestSupport
import XCTest

@testable import ReIDNet

/// Checkpoints written by the Python peer in all three formats load with exactly numpy's values.
final class WeightsLoaderTests: XCTestCase {
    func testSafetensors_everyDtype_matchesNumpyExactly() throws {
        try WeightsFixtures.assertMatchesNumpy("plain.safetensors", format: .safetensors)
        try WeightsFixtures.assertMatchesNumpy("bf16.safetensors", format: .safetensors)
    }

    func testZip_stateDictWithSharedStoragesAndStridedViews_matchesNumpyExactly() throws {
        try WeightsFixtures.assertMatchesNumpy("plain_zip.pt", format: .pytorchZip)
    }

    func testZip_dataParallelCheckpointDict_keepsModulePrefixAndEpoch() throws {
        try WeightsFixtures.assertMatchesNumpy("dataparallel_zip.pt", format: .pytorchZip)
    }

    func testLegacy_python3StateDict_matchesNumpyExactly() throws {
        try WeightsFixtures.assertMatchesNumpy("plain_legacy.pt", format: .pytorchLegacy)
    }

    func testLegacy_storageViewsOfPyTorchBefore04_matchNumpyExactly() throws {
        try WeightsFixtures.assertMatchesNumpy("views_legacy.pt", format: .pytorchLegacy)
    }

    func testLegacy_picklesPastTheFirstReads_matchNumpyExactly() throws {
        try WeightsFixtures.assertMatchesNumpy("long_legacy.pt", format: .pytorchLegacy)
    }

    func testLegacy_gpuDataParallel_loadsToCPU() throws {
        try WeightsFixtures.assertMatchesNumpy("dataparallel_legacy.pth", format: .pytorchLegacy)
    }

    func testLegacy_officialPython2GPUCheckpoint_matchesNumpyExactly() throws {
        try WeightsFixtures.assertMatchesNumpy("checkpoint.pth.tar", format: .pytorchLegacy)
        let stateDict = try WeightsLoader.load(try WeightsFixtures.url("checkpoint.pth.tar"))
        XCTAssertEqual(stateDict.metadata["epoch"], "60")
        XCTAssertEqual(stateDict.metadata["best_top1"], "0.947")
        // An int64 beyond Float's 24-bit mantissa survives exactly in `integers`.
        XCTAssertEqual(try stateDict.tensor("base.bn1.num_batches_tracked").integers, [8_589_934_597])
    }

    func testLegacy_numpyScalarsBesideStateDict_becomeMetadata() throws {
        try WeightsFixtures.assertMatchesNumpy("openreid_py2.pth.tar", format: .pytorchLegacy)
        try WeightsFixtures.assertMatchesNumpy("openreid_py3.pth.tar", format: .pytorchLegacy)
    }

    func testFormatSniffing_eachFixture_reportsItsFormat() throws {
        XCTAssertEqual(try WeightsLoader.format(of: try WeightsFixtures.url("plain.safetensors")), .safetensors)
        XCTAssertEqual(try WeightsLoader.format(of: try WeightsFixtures.url("plain_zip.pt")), .pytorchZip)
        XCTAssertEqual(try WeightsLoader.format(of: try WeightsFixtures.url("checkpoint.pth.tar")), .pytorchLegacy)
    }

    func testHalfConversion_specialValues_matchIEEE() {
        XCTAssertEqual(RawStorage.float(half: 0x3C00), 1.0)
        XCTAssertEqual(RawStorage.float(half: 0xC000), -2.0)
        XCTAssertEqual(RawStorage.float(half: 0x0001), 5.960_464_5e-8)  // smallest subnormal, 2^-24
        XCTAssertEqual(RawStorage.float(half: 0x7BFF), 65504)
        XCTAssertEqual(RawStorage.float(half: 0x7C00), .infinity)
        XCTAssertTrue(RawStorage.float(half: 0x7E00).isNaN)
        XCTAssertEqual(RawStorage.float(half: 0x8000).sign, .minus)
    }
}
