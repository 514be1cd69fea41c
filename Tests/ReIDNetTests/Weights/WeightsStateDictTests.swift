import Foundation
import TestSupport
import XCTest

@testable import ReIDNet

/// Lookup by canonical key: `module.`/`base.` mapping, shape checks, fit reports, unused keys.
final class WeightsStateDictTests: XCTestCase {
    private func tensor(_ shape: [Int], fill: Float = 0) -> WeightTensor {
        WeightTensor(dtype: .float32, shape: shape, values: [Float](repeating: fill, count: shape.reduce(1, *)))
    }

    func testLookup_moduleAndBasePrefixes_resolveBothWays() throws {
        let official = try WeightsLoader.load(try WeightsFixtures.url("checkpoint.pth.tar"))
        XCTAssertEqual(official.storedName(for: "conv1.weight"), "base.conv1.weight")
        XCTAssertEqual(official.storedName(for: "base.conv1.weight"), "base.conv1.weight")
        XCTAssertEqual(official.storedName(for: "module.base.conv1.weight"), "base.conv1.weight")
        XCTAssertEqual(try official.tensor("conv1.weight", shape: [8, 3, 7, 7]).shape, [8, 3, 7, 7])

        let parallel = try WeightsLoader.load(try WeightsFixtures.url("dataparallel_zip.pt"))
        XCTAssertEqual(parallel.storedName(for: "conv1.weight"), "module.conv1.weight")
        XCTAssertEqual(parallel.storedName(for: "base.conv1.weight"), "module.conv1.weight")
        XCTAssertNil(parallel.storedName(for: "conv2.weight"))
        let expected = try WeightsFixtures.expected("dataparallel_zip.pt").tensors.first { $0.name == "module.fc.weight" }!
        XCTAssertEqual(try parallel.tensor("fc.weight", shape: [4, 5]).values, expected.values.map { Float($0) })
    }

    func testLookup_exactNameWinsOverMappedOne() throws {
        let stateDict = try StateDict(
            format: .safetensors,
            tensors: [("base.layer1.w", tensor([1], fill: 1)), ("layer1.w", tensor([1], fill: 2))])
        XCTAssertEqual(try stateDict.tensor("layer1.w").values, [2])
        XCTAssertEqual(try stateDict.tensor("base.layer1.w").values, [1])
    }

    func testInit_sameKeyWithAndWithoutModule_throwsDuplicate() {
        XCTAssertThrowsError(
            try StateDict(format: .pytorchZip, path: "x.pt", tensors: [("module.a", tensor([1])), ("a", tensor([1]))])
        ) { error in
            XCTAssertEqual((error as? WeightsError)?.kind, .duplicateTensor(key: "a"))
            XCTAssertEqual(
                "\(error)", "x.pt: two tensors are named `a` once the `module.` prefix is removed; keep one of them.")
        }
    }

    func testTensor_wrongShape_errorNamesKeyAndBothShapes() throws {
        let url = try WeightsFixtures.url("checkpoint.pth.tar")
        let stateDict = try WeightsLoader.load(url)
        XCTAssertThrowsError(try stateDict.tensor("conv1.weight", shape: [64, 3, 7, 7])) { error in
            XCTAssertEqual(
                (error as? WeightsError)?.kind,
                .shapeMismatch(key: "conv1.weight", storedName: "base.conv1.weight", expected: [64, 3, 7, 7], actual: [8, 3, 7, 7]))
            XCTAssertEqual(
                "\(error)",
                "\(url.path): tensor `conv1.weight` (stored as `base.conv1.weight`) has shape [8, 3, 7, 7] but the model "
                    + "needs [64, 3, 7, 7]; are these weights for this model and input size?")
        }
    }

    /// `take` gives what `tensor` gives and removes it: asked again, the tensor is missing, by the same
    /// words a tensor never stored gets; a copy of the state dict made before still holds it.
    func testTake_removesTheTensor_aCopyKeepsIt() throws {
        let url = try WeightsFixtures.url("checkpoint.pth.tar")
        var stateDict = try WeightsLoader.load(url)
        let kept = stateDict
        let expected = try stateDict.tensor("conv1.weight", shape: [8, 3, 7, 7])
        XCTAssertEqual(try stateDict.take("conv1.weight", shape: [8, 3, 7, 7]), expected)
        XCTAssertFalse(stateDict.contains("conv1.weight"))
        XCTAssertTrue(kept.contains("conv1.weight"))
        XCTAssertThrowsError(try stateDict.take("conv1.weight", shape: [8, 3, 7, 7])) { error in
            XCTAssertEqual((error as? WeightsError)?.kind, .missingTensor(key: "conv1.weight", expectedShape: [8, 3, 7, 7]))
            XCTAssertTrue("\(error)".hasPrefix("\(url.path): "), "\(error)")
        }
        XCTAssertEqual(try kept.tensor("conv1.weight", shape: [8, 3, 7, 7]), expected)
        // A wrong shape is refused and the tensor stays.
        XCTAssertThrowsError(try stateDict.take("bn1.weight", shape: [3]))
        XCTAssertEqual(try stateDict.tensor("bn1.weight").shape, [8])
    }

    func testTensor_missingKey_errorNamesKeyAndExpectedShape() throws {
        let url = try WeightsFixtures.url("plain_legacy.pt")
        let stateDict = try WeightsLoader.load(url)
        XCTAssertThrowsError(try stateDict.tensor("layer1.0.conv1.weight", shape: [64, 64, 1, 1])) { error in
            XCTAssertEqual(
                "\(error)",
                "\(url.path): the weights have no tensor `layer1.0.conv1.weight` (expected shape [64, 64, 1, 1]), nor "
                    + "`base.`/`module.` variants of it; are these weights for this model? `panoptes inspect` lists what the file holds.")
        }
    }

    func testReader_afterUse_reportsUnusedStoredNamesInFileOrder() throws {
        var reader = StateDictReader(try WeightsLoader.load(try WeightsFixtures.url("checkpoint.pth.tar")))
        _ = try reader.tensor("conv1.weight", shape: [8, 3, 7, 7])
        for field in ["weight", "bias", "running_mean", "running_var"] {
            _ = try reader.tensor("bn1.\(field)", shape: [8])
        }
        XCTAssertNotNil(reader.optionalTensor("bn1.num_batches_tracked"))
        XCTAssertNil(reader.optionalTensor("bn2.num_batches_tracked"))
        XCTAssertEqual(
            reader.unusedNames, ["local_conv.weight", "local_conv_layer1.weight", "instance0.weight", "fusion_conv.weight"])
    }

    func testFit_missingAndMisShaped_listsBothAndSaysDoesNotFit() throws {
        let stateDict = try WeightsLoader.load(try WeightsFixtures.url("plain_zip.pt"))
        let good = stateDict.fit(
            [ExpectedTensor("conv1.weight", shape: [4, 3, 3, 3]), ExpectedTensor("fc.weight", shape: [4, 5])], model: "toy")
        XCTAssertTrue(good.fits)
        XCTAssertEqual(good.description, "toy: fits (2 tensors used, 7 unused)")
        let bad = stateDict.fit(
            [
                ExpectedTensor("conv1.weight", shape: [4, 3, 3, 3]), ExpectedTensor("fc.weight", shape: [5, 4]),
                ExpectedTensor("layer1.0.conv1.weight", shape: [64, 64, 1, 1]),
            ], model: "toy")
        XCTAssertFalse(bad.fits)
        XCTAssertEqual(bad.missing, [ExpectedTensor("layer1.0.conv1.weight", shape: [64, 64, 1, 1])])
        XCTAssertEqual(bad.mismatched.map(\.key), ["fc.weight"])
        XCTAssertEqual(
            bad.description,
            "toy: does not fit (1 of 3 missing, e.g. `layer1.0.conv1.weight` [64, 64, 1, 1]; "
                + "1 mis-shaped, e.g. `fc.weight` is [4, 5], needs [5, 4])")
    }
}
