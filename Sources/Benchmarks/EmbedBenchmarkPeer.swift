import ChildProcess
import Foundation
import ReIDNet

/// The benchmark's peer: `Tests/Peers/engine_onnx.py` run by the repository's `.venv` Python.
struct EmbedBenchmarkPeer {
    let repository: URL

    var python: URL { repository.appendingPathComponent(".venv/bin/python") }
    var script: URL { repository.appendingPathComponent("Tests/Peers/engine_onnx.py") }

    /// Runs the peer with `arguments`; returns its standard output; throws with its standard error.
    @discardableResult
    func run(_ arguments: [String]) async throws -> String {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw EmbedBenchmarkError(description: "no peer Python at \(python.path): run `make bench-venv` (or `make venv`) first")
        }
        let result = try await ChildProcess(python, [script.path] + arguments).run()
        guard result.status == 0 else {
            throw EmbedBenchmarkError(description: "peer engine_onnx.py \(arguments.first ?? "") failed (\(result.status)):\n"
                                      + result.stderrText)
        }
        return result.stdoutText
    }

    /// ONNX Runtime's images/s for one configuration.
    func imagesPerSecond(model: Architecture, weights: URL, height: Int, width: Int, batch: Int, seconds: Double, threads: Int) async throws -> Double {
        let text = try await run(["bench", model.rawValue, weights.path, "--height", "\(height)", "--width", "\(width)",
                            "--batch", "\(batch)", "--seconds", "\(seconds)", "--threads", "\(threads)"])
        return try Self.imagesPerSecond(benchOutput: text)
    }

    /// `images_per_second` from the JSON object on the last line `engine_onnx.py bench` prints.
    static func imagesPerSecond(benchOutput text: String) throws -> Double {
        guard let line = text.split(separator: "\n").last,
              let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
              let value = object["images_per_second"] as? Double
        else {
            throw EmbedBenchmarkError(description: "peer bench printed no images_per_second: \(text)")
        }
        return value
    }
}
