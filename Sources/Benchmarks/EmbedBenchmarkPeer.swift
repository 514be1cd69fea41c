import ChildProcess
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

    /// ONNX Runtime's milliseconds per run of each convolution, and of the whole run, from the JSON object on
    /// the last line `engine_onnx.py profile` prints.
    static func layerMilliseconds(profileOutput text: String) throws -> (layers: [String: Double], run: Double) {
        guard let line = text.split(separator: "\n").last,
              let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
              let layers = object["layers"] as? [String: Double], let run = object["run_ms"] as? Double
        else {
            throw EmbedBenchmarkError(description: "peer profile printed no layers and run_ms: \(text)")
        }
        return (layers, run)
    }

    /// ORT's milliseconds for a row of our profile: the convolution of the same name or, for an image
    /// block (`features.2.conv.0+3+6`), all the convolutions of its inverted residual (`features.2.`),
    /// plus the stem's where the block begins with it (`features.0.0+features.1.conv.0+3`);
    /// nil where ORT has no convolution of that name (max pooling and the descriptor's pooling, which
    /// ORT counts in the convolution before them).
    static func milliseconds(of row: String, in layers: [String: Double]) -> Double? {
        // The stem run in the first block (`features.0.0+features.1.conv.0+3`): its own, then the block's.
        if let plus = row.firstIndex(of: "+"), !row[..<plus].contains(".conv."), row.contains(".conv.") {
            guard let stem = layers[String(row[..<plus])], let rest = milliseconds(of: String(row[row.index(after: plus)...]), in: layers)
            else { return nil }
            return stem + rest
        }
        if row.contains("+"), let conv = row.range(of: ".conv.") {
            let prefix = row[..<conv.lowerBound] + "."
            let block = layers.filter { $0.key.hasPrefix(prefix) }
            return block.isEmpty ? nil : block.values.reduce(0, +)
        }
        return layers[row]
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

extension EmbedBenchmarkPeer {
    /// ONNX Runtime kept warm for one configuration (`engine_onnx.py serve`) and timed on demand, so the
    /// two sides can take many short turns: a shared machine's slow spells then fall on both sides'
    /// turns alike, and no turn waits for the peer to rebuild its session.
    final class Session {
        private let process = Process()
        /// Our end of the peer's standard input: a socket, so that writing to a peer that has died fails
        /// with `EPIPE` (`MSG_NOSIGNAL`) instead of raising `SIGPIPE`.
        private let input: Int32
        private let output = Pipe()
        private let errors: URL
        private var pending = Data()

        /// Starts the peer for one configuration and waits until it is warm. `errors` receives its
        /// standard error, quoted when it fails.
        init(peer: EmbedBenchmarkPeer, model: Architecture, weights: URL, height: Int, width: Int, batch: Int,
             threads: Int, errors: URL) throws {
            guard FileManager.default.isExecutableFile(atPath: peer.python.path) else {
                throw EmbedBenchmarkError(description: "no peer Python at \(peer.python.path): run `make bench-venv` (or `make venv`) first")
            }
            var ends: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0 else {
                throw EmbedBenchmarkError(description: "peer engine_onnx.py serve: socketpair failed: \(String(cString: strerror(errno)))")
            }
            input = ends[0]
            let childInput = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
            self.errors = errors
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.executableURL = peer.python
            process.arguments = [peer.script.path, "serve", model.rawValue, weights.path, "--height", "\(height)",
                                 "--width", "\(width)", "--batch", "\(batch)", "--threads", "\(threads)"]
            process.standardInput = childInput
            process.standardOutput = output
            process.standardError = try FileHandle(forWritingTo: errors)
            do {
                try process.run()
            } catch {
                closeDescriptor(input)
                throw EmbedBenchmarkError(description: "peer engine_onnx.py serve did not start: \(error)")
            }
            try childInput.close()
            let line = try readLine()
            guard line.contains("\"ready\"") else { throw failure("printed \(line) instead of {\"ready\": true}", ended: false) }
        }

        deinit {
            if process.isRunning { process.terminate() }
            closeDescriptor(input)
        }

        /// ONNX Runtime's images/s over at least `seconds` (and 3 runs).
        func imagesPerSecond(seconds: Double) throws -> Double {
            let request = Array("\(seconds)\n".utf8)
            let sent = request.withUnsafeBytes { send(input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent == request.count else { throw failure("stopped taking requests (\(String(cString: strerror(errno))))", ended: true) }
            return try EmbedBenchmarkPeer.imagesPerSecond(benchOutput: try readLine())
        }

        /// Ends the peer's input and waits for it to exit.
        func close() {
            shutdown(input, Int32(SHUT_WR))
            process.waitUntilExit()
        }

        /// The next line the peer prints; throws, quoting its standard error, when it ends first.
        private func readLine() throws -> String {
            while true {
                if let newline = pending.firstIndex(of: 0x0A) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending = Data(pending[(newline + 1)...])
                    return line
                }
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw failure("ended", ended: true) }
                pending.append(chunk)
            }
        }

        /// The error for `what` went wrong, with the peer's exit status once it has `ended` and its
        /// standard error.
        private func failure(_ what: String, ended: Bool) -> EmbedBenchmarkError {
            if ended { process.waitUntilExit() }
            let status = process.isRunning ? "" : " (exit status \(process.terminationStatus))"
            let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            return EmbedBenchmarkError(description: "peer engine_onnx.py serve \(what)\(status):\n" + text)
        }
    }
}

/// `close(2)`, named apart from `Session.close()`.
private func closeDescriptor(_ descriptor: Int32) {
    _ = Glibc.close(descriptor)
}
