import Foundation
@testable import ReIDNet
import TestSupport
import XCTest

/// Model shapes, FLOP counts and the `fit` check on real and wrong checkpoints.
final class ArchitectureTests: XCTestCase {
    func testMobileNetV2_realCheckpoint_fitsAndOnlyMobileNet() throws {
        let stateDict = try WeightsLoader.load(Fixtures.mobilenetWeights)
        let fit = Architecture.pfsaMobileNetV2.fit(stateDict)
        XCTAssertTrue(fit.fits, fit.description)
        XCTAssertEqual(fit.expectedCount, 52 * 5)  // 52 conv+BN pairs, 5 tensors each
        XCTAssertFalse(Architecture.pfsaResNet50.fit(stateDict).fits)
    }

    func testResNet50_requiredTensors_followPFSAKeys() {
        let names = Architecture.pfsaResNet50.requiredTensors.map(\.name)
        XCTAssertEqual(names.count, 53 * 5)  // 53 conv+BN pairs: stem, 16 blocks × 3, 4 downsamples
        XCTAssertEqual(names.first, "conv1.weight")
        XCTAssertTrue(names.contains("layer4.0.downsample.0.weight"))
        let shapes = Dictionary(uniqueKeysWithValues: Architecture.pfsaResNet50.requiredTensors.map { ($0.name, $0.shape) })
        XCTAssertEqual(shapes["layer4.2.conv3.weight"], [2048, 512, 1, 1])
        XCTAssertEqual(shapes["layer3.0.downsample.0.weight"], [1024, 512, 1, 1])
    }

    func testMisshapedTensor_errorNamesKeyAndBothShapes() throws {
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, shape) in Architecture.pfsaMobileNetV2.requiredTensors {
            tensors[name] = (shape, [Float](repeating: 1, count: shape.reduce(1, *)))
        }
        tensors["features.3.conv.3.weight"] = ([144, 1, 5, 5], [Float](repeating: 1, count: 144 * 25))
        XCTAssertThrowsError(try ReIDModel(architecture: .pfsaMobileNetV2, weights: TensorDictionary(tensors))) { error in
            // The same WeightsError (and words) a checkpoint's mis-shaped tensor gives.
            XCTAssertEqual(
                "\(error)",
                "tensor `features.3.conv.3.weight` has shape [144, 1, 5, 5] but the model needs [144, 1, 3, 3]; "
                    + "are these weights for this model and input size?")
        }
    }

    /// A network built from a checkpoint read for it folds each BatchNorm into the tensor as it was read,
    /// which the checkpoint then no longer holds: the layers keep the very buffers the tensors were read
    /// into. A caller that keeps its state dict keeps every tensor, as the file holds it: the fold in place
    /// never writes into a buffer the caller still shares.
    func testBuildingFromACheckpoint_foldsTheTensorsWhereTheyWereRead_aKeptOneStaysWhole() throws {
        var stateDict = try WeightsLoader.load(Fixtures.mobilenetWeights)
        let names = ["features.0.0", "features.1.conv.0", "features.9.conv.6", "features.18.0"]
        func address(_ values: [Float]) -> UInt { values.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) } }
        let read = try names.map { address(try stateDict.tensor("\($0).weight").values) }
        let network = try Architecture.pfsaMobileNetV2.network(weights: consume stateDict, keepingPlainWeights: true)
        for (name, readAt) in zip(names, read) {
            guard case .convolution(let conv, _)? = network.steps.first(where: { $0.name == name })?.operation else {
                return XCTFail("no convolution \(name)")
            }
            XCTAssertEqual(address(conv.weight), readAt, "\(name): folded into a copy, not where it was read")
        }

        let kept = try WeightsLoader.load(Fixtures.mobilenetWeights)
        _ = try ReIDModel(architecture: .pfsaMobileNetV2, weights: kept)
        let file = try WeightsLoader.load(Fixtures.mobilenetWeights)
        for (name, shape) in Architecture.pfsaMobileNetV2.requiredTensors {
            XCTAssertEqual(try kept.tensor(name, shape: shape), try file.tensor(name, shape: shape), "\(name) changed in the caller's state dict")
        }
    }

    func testBadInputSize_isAClearError() throws {
        let stateDict = try WeightsLoader.load(Fixtures.mobilenetWeights)
        XCTAssertThrowsError(try ReIDModel(architecture: .pfsaMobileNetV2, weights: stateDict, inputSize: (250, 128))) { error in
            XCTAssertEqual("\(error)", "input size 250x128 is not usable: pfsa-mobilenetv2 needs height and width that are multiples of 32")
        }
        XCTAssertThrowsError(try ReIDModel(architecture: .pfsaMobileNetV2, weights: stateDict, inputSize: (128, 64), pooling: .stripes))
        let model = try ReIDModel(architecture: .pfsaMobileNetV2, weights: stateDict)
        XCTAssertThrowsError(try model.embed([1, 2, 3], count: 1)) { error in
            XCTAssertTrue("\(error)".contains("3 floats for 1 images of 3x256x128"), "\(error)")
        }
    }

    /// Buffers are sized once for the largest batch and reused: later calls (same or smaller
    /// batches) allocate no new activation memory, and a crop's embedding does not depend on the
    /// batch it ran in.
    func testWorkspace_reusedAcrossCalls_andBatchIndependent() throws {
        let model = try ReIDModel(architecture: .pfsaMobileNetV2, weights: WeightsLoader.load(Fixtures.mobilenetWeights))
        let images = ModelParityTests.images(count: 8, height: 256, width: 128, seed: 5)
        let together = try model.embed(images, count: 8, maxBatch: 8)
        let bytes = model.workspaceBytes
        XCTAssertGreaterThan(bytes, 0)
        // Smaller batches take other paths (bands of an image, blocks layer by layer, buffers traded with
        // the spare at odd batches), in any order: the workspace reserved for batch 8 holds them all.
        for maxBatch in [1, 3, 8, 5, 2, 7, 1, 8] {
            let split = try model.embed(images, count: 8, maxBatch: maxBatch)
            XCTAssertEqual(model.workspaceBytes, bytes, "the workspace grew at batch \(maxBatch) after batch 8")
            // Not merely close: every convolution's arithmetic depends only on its own image, so the
            // pipeline's events do not depend on how crops were batched.
            XCTAssertEqual(split.values, together.values, "a crop's embedding changed with the other crops of its batch (\(maxBatch))")
        }
        XCTAssertLessThanOrEqual(model.packedWeightBytes, 2 * model.weightBytes, "packed weights over twice the fp32 weights")
    }

    func testShapesAndFLOPs_matchPFSANotes() throws {
        // Shapes and FLOPs need only the program, so zero weights are enough.
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, shape) in Architecture.pfsaResNet50.requiredTensors {
            tensors[name] = (shape, [Float](repeating: name.hasSuffix("running_var") ? 1 : 0, count: shape.reduce(1, *)))
        }
        let network = try Architecture.pfsaResNet50.network(weights: TensorDictionary(tensors))
        XCTAssertTrue(network.outputShape(height: 384, width: 128) == (2048, 24, 8))
        XCTAssertTrue(network.outputShape(height: 256, width: 128) == (2048, 16, 8))
        // Where the stem kernel runs, conv1 reads the caller's images in place: no slot holds a copy.
        XCTAssertEqual(network.readsInputInPlace, Conv2D.vectorKernels)
        // PFSA.md: 8.1 GFLOP per 256x128 image, 12.2 at 384x128.
        XCTAssertEqual(Double(2 * network.multiplyAdds(height: 256, width: 128)) / 1e9, 8.1, accuracy: 0.05)
        XCTAssertEqual(Double(2 * network.multiplyAdds(height: 384, width: 128)) / 1e9, 12.2, accuracy: 0.1)
        // The bound on packed weights, with F(4x4)'s 4x for the 3x3 layers of up to 128 channels.
        let model = try ReIDModel(architecture: .pfsaResNet50, weights: TensorDictionary(tensors))
        XCTAssertLessThanOrEqual(model.packedWeightBytes, 2 * model.weightBytes, "ResNet-50's packed weights over twice its fp32 weights")
        // The largest maps (the stem's, then layer1's outputs: 64 and 256 channels at a quarter of the input
        // pixels) share one slot; the other slots hold at most half of one (layer2's outputs) and, without
        // the stem kernel, the input, so at batch 16 the workspace (123 MiB at 384x128 with the input's copy)
        // stays under three of them. (With the stem's map in a slot of its own: 159 MiB, 3.3.)
        _ = try model.embed(ModelParityTests.images(count: 16, height: 384, width: 128, seed: 1), count: 16, maxBatch: 16)
        let largestMap = 16 * 64 * (384 / 2) * (128 / 2) * MemoryLayout<Float>.stride
        XCTAssertLessThan(model.workspaceBytes, 3 * largestMap, "\(model.workspaceBytes >> 20) MiB of workspace")
    }
}
