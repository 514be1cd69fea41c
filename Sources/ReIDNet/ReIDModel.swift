import Foundation
internal import LinearAlgebra

/// A re-identification network ready to embed batches of preprocessed crops.
///
/// Owns its network (BatchNorm folded, Winograd filters transformed) and the workspace it runs in:
/// buffers are sized on the first batch and reused, so steady-state calls allocate only their
/// result.
/// - Note: not thread-safe and not `Sendable`: one model per embedding actor or task. The GEMMs use
///   every core (``threadCount``); run one model at a time.
public final class ReIDModel {
    /// Which network this is.
    public let architecture: Architecture
    /// The layer program.
    public let network: Network
    /// Input `(height, width)` the crops must have.
    public let inputSize: (height: Int, width: Int)
    /// How the last map becomes the embedding.
    public let pooling: Pooling
    /// Channels of the last feature map.
    public let featureChannels: Int
    /// Values per embedding.
    public var dimension: Int { pooling.dimension(channels: featureChannels) }
    /// Shape of the last map at ``inputSize``.
    public let featureMapSize: (height: Int, width: Int)
    /// OpenBLAS threads (set once per process: one per core this process may use).
    public static var threadCount: Int { GEMM.threadCount }
    /// The OpenBLAS kernel family in use (e.g. "Haswell", "Zen").
    public static var blasCore: String { GEMM.coreName }
    /// Panoptes' own kernels in use: "AVX2 + FMA, AVX-512 tile pairs", "AVX2 + FMA, AVX-512 tiles", "AVX2 +
    /// FMA" or "portable (OpenBLAS)".
    public static var kernels: String {
        guard GEMM.hasPackedKernel else { return "portable (OpenBLAS)" }
        switch GEMM.tileKernel {
        case .avx2: return "AVX2 + FMA"
        case .avx512: return "AVX2 + FMA, AVX-512 tiles"
        case .avx512Pairs: return "AVX2 + FMA, AVX-512 tile pairs"
        }
    }

    private let workspace = Workspace()
    /// The largest batch so far and what the workspace needs for it and every smaller batch.
    private var reserved: (batch: Int, slots: [Int], scratch: Int) = (0, [], 0)

    /// Builds `architecture` from `weights` for crops of `inputSize` (the architecture's default when nil).
    /// Each tensor is taken from `weights` as its layer is built (``TensorSource/takeFloats(_:shape:)``):
    /// a state dict passed as it was loaded is let go tensor by tensor; one the caller keeps stays whole.
    /// `winograd` false runs 3x3 layers through im2col, `imageBlocks` false runs every layer batch-wide
    /// (references for tests and benchmarks; the outputs of the latter are the same bit for bit).
    ///
    /// - Throws: ``WeightsError`` naming a missing or mis-shaped tensor (and the file, for a loaded
    ///   checkpoint), or ``ModelError`` for an input size the network or the pooling cannot take.
    public init(
        architecture: Architecture, weights: TensorSource, inputSize: (height: Int, width: Int)? = nil,
        pooling: Pooling? = nil, winograd: Bool = true, imageBlocks: Bool = true
    ) throws {
        let size = inputSize ?? architecture.defaultInputSize
        let pooling = pooling ?? architecture.defaultPooling
        let stride = architecture.outputStride
        guard size.height >= stride && size.width >= stride && size.height % stride == 0 && size.width % stride == 0 else {
            throw ModelError.badInputSize(height: size.height, width: size.width,
                                          reason: "\(architecture.rawValue) needs height and width that are multiples of \(stride)")
        }
        if pooling == .stripes && size.height / stride < Pooling.stripeCount {
            throw ModelError.badInputSize(height: size.height, width: size.width,
                                          reason: "6-stripe pooling needs a feature map of at least 6 rows: height ≥ \(6 * stride)")
        }
        // The packed copies run the products; the plain weights would only double the model's memory.
        let network = try architecture.network(weights: consume weights, winograd: winograd, keepingPlainWeights: false)
        self.architecture = architecture
        self.network = imageBlocks ? network : network.withoutImageBlocks()
        self.inputSize = size
        self.pooling = pooling
        self.featureChannels = architecture.featureChannels
        let map = network.outputShape(height: size.height, width: size.width)
        self.featureMapSize = (map.height, map.width)
    }

    /// Multiply-adds per image (FLOPs are twice this).
    public var multiplyAddsPerImage: Int { network.multiplyAdds(height: inputSize.height, width: inputSize.width) }

    /// Bytes held by the activation and scratch buffers.
    public var workspaceBytes: Int { workspace.bytes }

    /// Bytes of the convolutions' fp32 weights, as loaded (BatchNorm folded in), whether the model holds
    /// them plain or only packed.
    public var weightBytes: Int {
        network.steps.reduce(0) { total, step in
            guard case .convolution(let conv, _) = step.operation else { return total }
            return total + conv.weightCount * MemoryLayout<Float>.stride
        }
    }

    /// Bytes of the weights packed for CKernels' product (dense weights, Winograd-transformed ones for
    /// 3x3 layers); 0 where OpenBLAS runs the products.
    public var packedWeightBytes: Int {
        network.steps.reduce(0) { total, step in
            guard case .convolution(let conv, _) = step.operation else { return total }
            return total + conv.packedWeightBytes
        }
    }

    /// Embeds `count` crops, preprocessed to `[count][3][height][width]` floats (NCHW, ImageNet-normalised).
    ///
    /// - Parameters:
    ///   - maxBatch: images run through the network together (larger batches make larger GEMMs and
    ///     need more memory).
    ///   - profile: if given, called for each layer with its name and seconds (summed by the caller).
    /// - Returns: `count` L2-normalised embeddings of ``dimension`` values each.
    public func embed(
        _ images: [Float], count: Int, maxBatch: Int = 16, profile: ((String, Double) -> Void)? = nil
    ) throws -> Embeddings {
        try embed(images, count: count, poolings: [pooling], maxBatch: maxBatch, profile: profile)[0]
    }

    /// Embeds `count` crops once through the network and pools the last map in each of `poolings`
    /// (for ablations: one backbone pass, several descriptors), in the order given.
    public func embed(
        _ images: [Float], count: Int, poolings: [Pooling], maxBatch: Int = 16,
        profile: ((String, Double) -> Void)? = nil
    ) throws -> [Embeddings] {
        let (h, w) = inputSize
        let perImage = 3 * h * w
        guard count >= 0, images.count == count * perImage else {
            throw ModelError.badBatch("\(images.count) floats for \(count) images of 3x\(h)x\(w) (\(count * perImage) expected)")
        }
        guard maxBatch > 0 else { throw ModelError.badBatch("maxBatch must be positive") }
        if poolings.contains(.stripes) && featureMapSize.height < Pooling.stripeCount {
            throw ModelError.badInputSize(height: h, width: w, reason: "6-stripe pooling needs a feature map of at least 6 rows")
        }
        var values = poolings.map { [Float](repeating: 0, count: count * $0.dimension(channels: featureChannels)) }
        var peaks = poolings.map { _ in [Float](repeating: 0, count: count) }
        var start = 0
        try images.withUnsafeBufferPointer { src in
            while start < count {
                let n = min(maxBatch, count - start)
                let map = try run(src.baseAddress! + start * perImage, batch: n, profile: profile)
                let poolStart = profile == nil ? 0 : MonotonicClock.seconds()
                let plane = map.height * map.width
                let result = UnsafePointer(workspace.slot(network.outputSlot))
                let scratchCount = Pooling.scratchCount(channels: map.channels, height: map.height, width: map.width)
                let first = start
                for (k, pooling) in poolings.enumerated() {
                    let d = pooling.dimension(channels: map.channels)
                    values[k].withUnsafeMutableBufferPointer { dst in
                        peaks[k].withUnsafeMutableBufferPointer { peak in
                            // Images on the compute threads, each thread with its own scratch.
                            ParallelFor.run(n) { images in
                                withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { scratch in
                                    for i in images {
                                        peak[first + i] = pooling.pool(
                                            map: result + i * plane, channelStride: n * plane, channels: map.channels,
                                            height: map.height, width: map.width,
                                            into: dst.baseAddress! + (first + i) * d, weights: scratch.baseAddress!)
                                    }
                                }
                            }
                        }
                    }
                }
                if let profile { profile("pooling", MonotonicClock.seconds() - poolStart) }
                start += n
            }
        }
        return poolings.enumerated().map { k, pooling in
            Embeddings(count: count, dimension: pooling.dimension(channels: featureChannels), values: values[k],
                       attentionPeaks: peaks[k])
        }
    }

    /// The last feature map of `count` crops run as one batch, `[count][channels][h][w]` (NCHW), for
    /// comparisons with other implementations.
    public func featureMap(_ images: [Float], count: Int) throws -> [Float] {
        let perImage = 3 * inputSize.height * inputSize.width
        guard count > 0, images.count == count * perImage else {
            throw ModelError.badBatch("\(images.count) floats for \(count) images (\(count * perImage) expected)")
        }
        let map = try images.withUnsafeBufferPointer { try run($0.baseAddress!, batch: count, profile: nil) }
        let plane = map.height * map.width
        let src = workspace.slot(network.outputSlot)
        var out = [Float](repeating: 0, count: count * map.channels * plane)
        for c in 0..<map.channels {
            for n in 0..<count {
                for i in 0..<plane { out[(n * map.channels + c) * plane + i] = src[(c * count + n) * plane + i] }
            }
        }
        return out
    }

    /// Allocates the buffers that batches of up to `batch` images run in and has their pages mapped now
    /// (``ProcessMemory``), so that the first batch does not stop for each one: MobileNetV2's at batch 16
    /// on 256x128 are 17 MB.
    public func reserveWorkspace(batch: Int) {
        reserveBuffers(batch: max(1, batch))
        workspace.prefault()
    }

    private func reserveBuffers(batch: Int) {
        if batch > reserved.batch {
            let need = network.requirements(batch: batch, height: inputSize.height, width: inputSize.width)
            reserved = (batch, need.slots, need.scratch)
        }
        workspace.reserve(slots: reserved.slots, scratch: reserved.scratch)
    }

    /// Runs the network on a batch: its stem reads the images where they are, or (on the portable path,
    /// or with `network`'s first layer not a stem) they are copied into slot 0 as CNHW first.
    private func run(
        _ images: UnsafePointer<Float>, batch: Int, profile: ((String, Double) -> Void)?
    ) throws -> (channels: Int, height: Int, width: Int) {
        let (h, w) = inputSize
        reserveBuffers(batch: batch)
        if network.readsInputInPlace {
            return network.run(batch: batch, height: h, width: w, images: images, workspace: workspace, profile: profile)
        }
        let plane = h * w
        let input = workspace.slot(0)
        // NCHW → CNHW: plane (n, c) moves to position (c, n).
        for n in 0..<batch {
            for c in 0..<3 {
                (input + (c * batch + n) * plane).update(from: images + (n * 3 + c) * plane, count: plane)
            }
        }
        return network.run(batch: batch, height: h, width: w, images: nil, workspace: workspace, profile: profile)
    }
}

/// The embeddings of a batch of crops, row-major `[count][dimension]`.
public struct Embeddings: Sendable {
    /// Crops embedded.
    public let count: Int
    /// Values per embedding.
    public let dimension: Int
    /// `count · dimension` values, L2-normalised per embedding.
    public let values: [Float]
    /// Per crop, the largest spatial attention weight (0 for pooling without attention); above
    /// ``Pooling/saturationThreshold`` the softmax attention has collapsed onto one position.
    public let attentionPeaks: [Float]

    /// Wraps `count` embeddings of `dimension` values (row-major) and their attention peaks (zeros when
    /// nil).
    ///
    /// - Precondition: `values.count == count * dimension` and `attentionPeaks`, if given, has `count` values.
    public init(count: Int, dimension: Int, values: [Float], attentionPeaks: [Float]? = nil) {
        precondition(values.count == count * dimension, "\(values.count) values for \(count) embeddings of \(dimension)")
        precondition(attentionPeaks.map { $0.count == count } ?? true, "one attention peak per embedding")
        self.count = count
        self.dimension = dimension
        self.values = values
        self.attentionPeaks = attentionPeaks ?? [Float](repeating: 0, count: count)
    }

    /// The embedding of crop `index`.
    public subscript(index: Int) -> ArraySlice<Float> { values[(index * dimension)..<((index + 1) * dimension)] }

    /// How many crops' attention collapsed onto one position (peak weight > ``Pooling/saturationThreshold``).
    public var saturatedCount: Int { attentionPeaks.filter { $0 > Pooling.saturationThreshold }.count }
}

extension Embeddings {
    /// Embedding `index` as one JSON Lines record, `{"image": IMAGE, "embedding": [...]}` (floats
    /// printed with Swift's shortest round-tripping form, so reading them back gives the same Float32).
    public func jsonLine(index: Int, image: String) -> String {
        // Foundation's encoder escapes the name (quotes, backslashes, control characters) as JSON wants.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let escaped = (try? encoder.encode(image)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
        let numbers = self[index].map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ", ")
        return "{\"image\": \(escaped), \"embedding\": [\(numbers)]}"
    }
}

extension ReIDModel {
    /// Multiply-adds per image of each convolution, by layer name (for profiles).
    public var layerMultiplyAdds: [String: Int] {
        var result: [String: Int] = [:]
        var sizes = [(Int, Int)](repeating: (0, 0), count: Network.slotCount)
        sizes[0] = inputSize
        for step in network.steps {
            let (h, w) = sizes[step.input]
            switch step.operation {
            case .convolution(let conv, _):
                result[step.name] = conv.multiplyAdds(height: h, width: w)
                sizes[step.output] = conv.outputSize(height: h, width: w)
            case .pool(let pool):
                sizes[step.output] = pool.outputSize(height: h, width: w)
            }
        }
        for block in network.imageBlocks.values {
            result[block.name] = block.steps.reduce(0) { $0 + (result[network.steps[$1].name] ?? 0) }
        }
        return result
    }

    /// The algorithm each convolution runs (pointwise, im2col, depthwise, winograd ...), by layer name;
    /// `imageBlock` for the runs of layers that go image by image at batches the threads share evenly.
    public var layerAlgorithms: [String: String] {
        var result: [String: String] = [:]
        for step in network.steps {
            if case .convolution(let conv, _) = step.operation { result[step.name] = "\(conv.algorithm)" }
        }
        for block in network.imageBlocks.values { result[block.name] = "imageBlock" }
        return result
    }
}
