import ArgumentParser
import Benchmarks
import ChildProcess
import Foundation
import ReIDNet

/// `panoptes bench embed`: Images per second embedding, next to ONNX Runtime.
struct BenchEmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed", abstract: "Images per second embedding, next to ONNX Runtime.",
        discussion: """
            Measures both PFSA models at each input size and batch next to ONNX Runtime (fp32, all graph \
            optimisations, 2 threads) on the same weights, after checking that both give the same \
            embeddings. Then times `panoptes embed` itself as a whole process (start-up, loading, \
            decoding and writing included) on real person crops, next to ONNX Runtime's steady state \
            at the same model, input and batch. Runs twice: with the environment as it is, then (as a \
            child process) with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed for both sides.
            """)

    @Option(help: "Models to measure (repeatable; default both).")
    var model: [Architecture] = []

    @Option(help: "Batch sizes, comma-separated.")
    var batches = "1,8,16"

    @Option(help: "Input sizes HEIGHTxWIDTH, comma-separated.")
    var inputs = "256x128,384x128"

    @Option(help: "Seconds each side times each configuration, over all rounds.")
    var seconds = 3.0

    @Option(help: "Rounds in which the two sides take turns; the ratio is the median of the rounds' ratios.")
    var rounds = 3

    @Option(help: "Also print a per-layer profile at this batch size, beside ONNX Runtime's own profile of the same layers.")
    var profile: Int?

    @Flag(help: "Measure only with the environment as it is (skip the run with the OpenBLAS variables unset).")
    var environmentAsIs = false

    @Option(help: "Threads for both sides (Panoptes' PANOPTES_THREADS, ONNX Runtime's intra_op_num_threads).")
    var threads = 2

    @Flag(help: "Run 3x3 stride-1 convolutions through im2col instead of Winograd (for comparison).")
    var noWinograd = false

    @Flag(help: "Run MobileNetV2's inverted residuals layer by layer instead of image by image (for comparison).")
    var layerByLayer = false

    @Option(help: "Crops (from vtest.avi at the demo's detections) that `panoptes embed` embeds as a whole process, timed next to ORT's steady state; 0 skips it.")
    var processCrops = 96

    @Flag(help: .private)
    var child = false

    func validate() throws {
        guard parsedBatches != nil else { throw ValidationError("--batches must be positive integers like 1,8,16, got '\(batches)'.") }
        guard parsedInputs != nil else { throw ValidationError("--inputs must look like 256x128,384x128, got '\(inputs)'.") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive.") }
        guard rounds > 0 else { throw ValidationError("--rounds must be 1 or more.") }
        guard threads > 0 else { throw ValidationError("--threads must be 1 or more.") }
        guard processCrops >= 0 else { throw ValidationError("--process-crops must be 0 (skip) or more.") }
    }

    var parsedBatches: [Int]? {
        let values = batches.split(separator: ",").map { Int($0) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.map { $0! }
    }

    var parsedInputs: [(Int, Int)]? {
        let values = inputs.split(separator: ",").map { parseInputSize(String($0)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
        return values.map { ($0!.height, $0!.width) }
    }
}

extension BenchEmbedCommand {
    func run() async throws {
        var config = EmbedBenchmark.Configuration()
        if !model.isEmpty { config.models = model }
        config.batches = parsedBatches!
        config.inputSizes = parsedInputs!
        config.seconds = seconds
        config.rounds = rounds
        config.profileBatch = profile
        config.winograd = !noWinograd
        config.imageBlocks = !layerByLayer
        config.threads = threads
        // Read once by ReIDNet on its first GEMM, which has not run yet.
        setenv("PANOPTES_THREADS", "\(threads)", 1)
        let repository = Self.repositoryRoot()
        if processCrops > 0 {
            let video = repository.appendingPathComponent("Samples/data/vtest.avi")
            guard FileManager.default.fileExists(atPath: video.path) else {
                throw ValidationError("\(video.path) is missing: run `make samples` first, or pass --process-crops 0.")
            }
            var wholeProcess = EmbedProcessBenchmark.Configuration(
                executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), video: video,
                detections: repository.appendingPathComponent("Samples/vtest/left.det.txt"))
            wholeProcess.crops = processCrops
            wholeProcess.rounds = rounds
            config.wholeProcess = wholeProcess
        }
        let label = child ? "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset" : "environment as is"
        FileHandle.standardOutput.write(Data("== bench embed (\(label)); noisy if other builds share the cores ==\n\(EmbedBenchmark.header)\n".utf8))
        let bench = EmbedBenchmark(configuration: config, repository: repository) { line in
            // Unbuffered, so a long run shows each row as it is measured.
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        _ = try await bench.run()
        guard !child && !environmentAsIs else { return }
        // The same measurement in a child process whose environment lacks the two OpenBLAS variables
        // (OpenBLAS reads them once, at load time, so only a new process sees the change).
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["OPENBLAS_L2_SIZE"] = nil
        let child = ChildProcess(
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), Array(CommandLine.arguments.dropFirst()) + ["--child"],
            environment: environment, standardOutput: .inherit, standardError: .inherit)
        let result = try await child.run()
        guard result.status == 0 else { throw ExitCode(result.status) }
    }

    /// The repository holding `.venv` and `Tests/Peers`: the current folder or one above it, else
    /// the folder two levels above the executable (`.build/<config>/panoptes`).
    static func repositoryRoot() -> URL {
        var url = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Tests/Peers/engine_onnx.py").path) { return url }
            url.deleteLastPathComponent()
        }
        var exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for _ in 0..<4 { exe.deleteLastPathComponent() }
        return exe
    }
}
