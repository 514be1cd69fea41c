import LinearAlgebra
import TestSupport
import XCTest

@testable import ReIDNet

/// MobileNetV2's inverted residuals run image by image (or band by band of an image's rows); the
/// embeddings must be exactly those of the layers run one by one.
final class ImageBlockTests: XCTestCase {
    func testMobileNetV2_everyInvertedResidualIsOneBlock_ResNetHasNone() throws {
        try XCTSkipUnless(GEMM.hasPackedKernel, "image blocks need AVX2 + FMA")
        let model = try ReIDModel(architecture: .pfsaMobileNetV2, weights: WeightsLoader.load(Fixtures.mobilenetWeights))
        let names = model.network.imageBlocks.values.map(\.name).sorted { $0.localizedStandardCompare($1) == .orderedAscending }
        XCTAssertEqual(names.count, 17, "\(names)")
        // The stem runs in the first residual's block, so its map is never written for the whole batch.
        XCTAssertEqual(names.first, "features.0.0+features.1.conv.0+3")
        XCTAssertEqual(names.last, "features.17.conv.0+3+6")
        // The blocks cover every convolution up to the last 1x1, and nothing else.
        let covered = model.network.imageBlocks.values.reduce(0) { $0 + $1.steps.count }
        XCTAssertEqual(covered, model.network.steps.count - 1)
        // ResNet-50 has no depthwise layer, so no block: its layers stay batch-wide.
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, shape) in Architecture.pfsaResNet50.requiredTensors {
            tensors[name] = (shape, [Float](repeating: name.hasSuffix("running_var") ? 1 : 0, count: shape.reduce(1, *)))
        }
        XCTAssertTrue(try Architecture.pfsaResNet50.network(weights: TensorDictionary(tensors)).imageBlocks.isEmpty)
    }

    func testBlocks_giveTheLayerByLayerEmbeddingsBitForBit() throws {
        try XCTSkipUnless(GEMM.hasPackedKernel, "image blocks need AVX2 + FMA")
        let weights = try WeightsLoader.load(Fixtures.mobilenetWeights)
        for (batch, height, width) in [(8, 256, 128), (2 * GEMM.threadCount, 384, 128), (9, 160, 64)] {
            let images = ModelParityTests.images(count: batch, height: height, width: width, seed: UInt64(batch))
            let sized = try ReIDModel(architecture: .pfsaMobileNetV2, weights: weights, inputSize: (height, width))
            XCTAssertEqual(sized.network.imageBlocks(batch: batch, height: height, width: width).count, 17,
                           "batch \(batch) should run every block")
            let sizedLayered = try ReIDModel(architecture: .pfsaMobileNetV2, weights: weights, inputSize: (height, width), imageBlocks: false)
            XCTAssertTrue(sizedLayered.network.imageBlocks.isEmpty)
            let blocks = try sized.embed(images, count: batch, maxBatch: batch)
            let layers = try sizedLayered.embed(images, count: batch, maxBatch: batch)
            XCTAssertEqual(blocks.values, layers.values, "batch \(batch) at \(height)x\(width)")
            // And each image alone (its blocks cut into bands of rows at batch 1) gives the same embedding.
            let alone = try sized.embed(images, count: batch, maxBatch: 1)
            XCTAssertEqual(blocks.values, alone.values, "batch \(batch) against batch 1")
        }
    }

    /// The blocks' plans are worked out once per batch size and kept: a model that runs batches of
    /// several sizes, one after another and back, embeds each image as a model that runs its layers one
    /// by one does, and keeps one plan of which blocks run per batch size it has seen.
    func testPlansKeptPerBatchSize_giveTheLayerByLayerEmbeddings() throws {
        try XCTSkipUnless(GEMM.hasPackedKernel, "image blocks need AVX2 + FMA")
        let weights = try WeightsLoader.load(Fixtures.mobilenetWeights)
        let images = ModelParityTests.images(count: 9, height: 256, width: 128, seed: 77)
        let blocked = try ReIDModel(architecture: .pfsaMobileNetV2, weights: weights, inputSize: (256, 128))
        let layered = try ReIDModel(architecture: .pfsaMobileNetV2, weights: weights, inputSize: (256, 128), imageBlocks: false)
        let expected = try layered.embed(images, count: 9, maxBatch: 9).values
        // Batches of 4, 4, 1; then 9; then 2, 2, 2, 2, 1; then 4, 4, 1 again, from the kept plans.
        for maxBatch in [4, 9, 2, 4] {
            XCTAssertEqual(try blocked.embed(images, count: 9, maxBatch: maxBatch).values, expected, "batches of up to \(maxBatch)")
        }
        for batch in [1, 2, 4, 9] {
            XCTAssertEqual(blocked.network.imageBlocks(batch: batch, height: 256, width: 128),
                           blocked.network.imageBlocksWorkedOut(batch: batch, height: 256, width: 128), "batch \(batch)")
        }
    }

    /// At batch 1, and at batches that split an image between threads, each thread runs its band of an
    /// image's rows through the block, recomputing the rows its depthwise layer reads past the band: the
    /// embeddings are still exactly the layers' one by one, at stride 1 and 2, with the first band's
    /// top, the last band's bottom and the bands' shared rows all in play.
    func testBandsOfAnImage_giveTheLayerByLayerEmbeddingsBitForBit() throws {
        try XCTSkipUnless(GEMM.hasPackedKernel, "image blocks need AVX2 + FMA")
        let weights = try WeightsLoader.load(Fixtures.mobilenetWeights)
        // On two threads at batch 1, the blocks of 16-row output maps and larger (256x128) run as bands of 8
        // rows or more; those of 8-row maps (features.14 to 17) run layer by layer, and at 224x96 those of
        // 14- and 7-row maps (features.7 to 17) too.
        for (batch, height, width, blocksOnTwoThreads) in [(1, 256, 128, 13), (1, 224, 96, 6), (3, 256, 128, 17)] {
            let images = ModelParityTests.images(count: batch, height: height, width: width, seed: UInt64(40 + batch))
            let banded = try ReIDModel(architecture: .pfsaMobileNetV2, weights: weights, inputSize: (height, width))
            let layered = try ReIDModel(architecture: .pfsaMobileNetV2, weights: weights, inputSize: (height, width), imageBlocks: false)
            let running = banded.network.imageBlocks(batch: batch, height: height, width: width)
            if GEMM.threadCount == 2 { XCTAssertEqual(running.count, blocksOnTwoThreads, "batch \(batch) at \(height)x\(width)") }
            XCTAssertEqual(try banded.embed(images, count: batch, maxBatch: batch).values,
                           try layered.embed(images, count: batch, maxBatch: batch).values,
                           "batch \(batch) at \(height)x\(width), \(running.count) blocks in bands")
        }
    }

    /// A block whose inner maps for a whole image take more than `bandBytes` runs each image in bands of
    /// rows, also at batches that give each thread whole images: at 256x128, MobileNetV2's first four
    /// blocks, one of which (features.3) adds its residual through the spare. The scratch is sized for
    /// the bands, and the embeddings are the layers' one by one, bit for bit, at that batch and at batch 1.
    func testBlocksLargerThanTheBudget_runInBands_giveTheLayerByLayerEmbeddingsBitForBit() throws {
        try XCTSkipUnless(GEMM.hasPackedKernel, "image blocks need AVX2 + FMA")
        let weights = try WeightsLoader.load(Fixtures.mobilenetWeights)
        let batch = 2 * GEMM.threadCount
        let model = try ReIDModel(architecture: .pfsaMobileNetV2, weights: weights, inputSize: (256, 128))
        let layered = try ReIDModel(architecture: .pfsaMobileNetV2, weights: weights, inputSize: (256, 128), imageBlocks: false)
        let network = model.network
        let shapes = network.shapes(height: 256, width: 128)
        var banded: [(name: String, rows: Int, spare: Bool)] = []
        for (first, block) in network.imageBlocks(batch: batch, height: 256, width: 128).sorted(by: { $0.key < $1.key }) {
            let (height, width) = first == 0 ? (256, 128) : (shapes[first - 1].height, shapes[first - 1].width)
            let plan = network.plan(of: block, height: height, width: width)
            if plan.bandRows < plan.sizes[plan.sizes.count - 1].height {
                banded.append((block.name, plan.bandRows, network.writesSpare(block, batch: batch, height: height, width: width)))
            }
        }
        XCTAssertEqual(banded.map(\.name), ["features.0.0+features.1.conv.0+3", "features.2.conv.0+3+6",
                                            "features.3.conv.0+3+6", "features.4.conv.0+3+6"])
        XCTAssertEqual(banded.map(\.rows), [32, 16, 16, 16])
        XCTAssertEqual(banded.map(\.spare), [false, false, true, false])
        let scratchBytes = network.requirements(batch: batch, height: 256, width: 128).scratch * MemoryLayout<Float>.stride
        XCTAssertLessThanOrEqual(scratchBytes, GEMM.threadCount * 2 * Network.bandBytes)
        let images = ModelParityTests.images(count: batch, height: 256, width: 128, seed: 11)
        let expected = try layered.embed(images, count: batch, maxBatch: batch).values
        XCTAssertEqual(try model.embed(images, count: batch, maxBatch: batch).values, expected)
        XCTAssertEqual(try model.embed(images, count: batch, maxBatch: 1).values, expected)
    }

    /// A block's inner maps live in its per-thread scratch, so the workspace holds no batch-wide copy of
    /// them: at batch 8 (on two threads; four images a thread on any) it is smaller than features.2's
    /// expanded map for the batch alone (96 channels at 128x64), which it used to reserve; and no slot
    /// holds the stem's map (32 channels at 128x64), the largest map left before the stem joined the first
    /// block.
    func testBlocks_reserveNoBatchWideSlotForTheirInnerMaps() throws {
        try XCTSkipUnless(GEMM.hasPackedKernel, "image blocks need AVX2 + FMA")
        let model = try ReIDModel(architecture: .pfsaMobileNetV2, weights: WeightsLoader.load(Fixtures.mobilenetWeights))
        let batch = 4 * GEMM.threadCount
        let images = ModelParityTests.images(count: batch, height: 256, width: 128, seed: 3)
        _ = try model.embed(images, count: batch, maxBatch: batch)
        let expandedMap = batch * 96 * 128 * 64 * MemoryLayout<Float>.stride
        XCTAssertLessThan(model.workspaceBytes, expandedMap, "\(model.workspaceBytes >> 20) MiB of workspace")
        let largestSlot = model.network.requirements(batch: batch, height: 256, width: 128).slots.max()!
        XCTAssertLessThan(largestSlot, batch * 32 * 128 * 64, "a slot of \(largestSlot) floats holds the stem's map")
    }
}
