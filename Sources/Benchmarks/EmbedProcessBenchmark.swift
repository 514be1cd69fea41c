import ChildProcess
import Foundation
import ReIDNet
import Tracking
import VideoIO

/// `panoptes embed` timed as a user meets it: one whole process (start-up, loading the weights, decoding
/// the images, embedding, writing the `.npy`) on real person crops, next to ONNX Runtime's steady state
/// at the same model, input size and batch, measured in the same run.
///
/// The crops are the first boxes of a MOTChallenge detections file on its video (`bench embed` uses
/// vtest.avi and the demo's HOG boxes), written as PNG files. The two sides take turns, like the
/// table's rows: `panoptes embed` runs one after another for as long as a turn of the peer lasts (at
/// least once), then a turn of the warm peer; the ratio is the median of the rounds' ratios. One
/// untimed run first puts the weights file in the page cache, as for a user's second run.
///
/// A round used to time a single run (0.3 s for MobileNetV2's 96 crops) against two seconds of the
/// peer: a spell of the host's noise could fall on the whole of one side's turn and none of the
/// other's. With turns of the same length, both sides average over as much of it.
public struct EmbedProcessBenchmark: Sendable {
    /// What to time.
    public struct Configuration: Sendable {
        /// The `panoptes` executable.
        public var executable: URL
        /// The video the crops are cut from.
        public var video: URL
        /// MOTChallenge detections of `video` (frame numbers from 1): the crops are its first boxes.
        public var detections: URL
        /// Crops per run.
        public var crops = 96
        /// `panoptes embed --batch` (its default is 16), and the peer's batch.
        public var batch = 16
        /// Rounds in which the two sides take turns.
        public var rounds = 3
        /// Seconds of each peer turn, and the least that each turn of `panoptes embed` runs for.
        public var peerSeconds = 2.0

        /// A configuration timing `executable` on crops of `video` placed by `detections`.
        public init(executable: URL, video: URL, detections: URL) {
            self.executable = executable
            self.video = video
            self.detections = detections
        }
    }

    /// One model's measurement.
    public struct Row: Sendable {
        public var model: Architecture
        public var height: Int
        public var width: Int
        public var batch: Int
        public var crops: Int
        /// Wall-clock seconds of each timed `panoptes embed`, from its start to its exit, round by round.
        public var runs: [[Double]]
        /// The peer's images per second in each round.
        public var peerImagesPerSecond: [Double]
        /// Every timed run's seconds.
        public var seconds: [Double] { runs.flatMap { $0 } }
        /// Crops per second of the whole process in each round: all its runs' crops over all their time.
        public var imagesPerSecond: [Double] { runs.map { Double(crops * $0.count) / $0.reduce(0, +) } }
        /// Whole process / peer steady state in each round.
        public var roundRatios: [Double] { zip(imagesPerSecond, peerImagesPerSecond).map { $0 / $1 } }
        /// The median of the rounds' ratios.
        public var ratio: Double { median(roundRatios) }
    }

    let configuration: Configuration

    /// A benchmark of `configuration`.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Cuts the first `count` boxes of `detections` (in frame order, then file order) out of `video`
    /// into `folder` as `crop-000.png`, ...: boxes clipped to the frame, those left empty skipped.
    ///
    /// - Throws: ``EmbedBenchmarkError`` naming the file when it holds fewer boxes than `count`;
    ///   the readers' and the writer's errors as they are.
    public static func writeCrops(count: Int, video: URL, detections: URL, into folder: URL) throws -> [URL] {
        let boxes = Dictionary(grouping: try MOTFile.read(detections).records, by: \.frame)
        let reader = try VideoReader(path: video.path)
        var written: [URL] = []
        while written.count < count, let frame = try reader.nextFrame() {
            for record in boxes[frame.index + 1] ?? [] where written.count < count {
                let box = record.box
                guard let region = frame.clampedRegion(x: Int(box.x.rounded()), y: Int(box.y.rounded()),
                                                       width: Int(box.w.rounded()), height: Int(box.h.rounded()))
                else { continue }
                let url = folder.appendingPathComponent(String(format: "crop-%03d.png", written.count))
                try ImageWriter.write(region, to: url.path)
                written.append(url)
            }
        }
        guard written.count == count else {
            throw EmbedBenchmarkError(description: "\(detections.path) places only \(written.count) boxes inside \(video.path), "
                + "fewer than the \(count) crops asked for; ask for fewer crops")
        }
        return written
    }

    /// Times `panoptes embed` of `crops` with `model` reading `weights`, and the peer on `peerWeights`
    /// at the model's default input size and the configured batch.
    ///
    /// - Throws: ``EmbedBenchmarkError`` quoting the child's standard error when `panoptes embed`
    ///   fails or writes another number of embeddings; the peer's errors.
    func measure(model: Architecture, weights: URL, peerWeights: URL, crops: [URL], peer: EmbedBenchmarkPeer,
                 threads: Int, work: URL) async throws -> Row {
        let (height, width) = model.defaultInputSize
        let output = work.appendingPathComponent("process-embeddings.npy")
        let command = ChildProcess(
            configuration.executable,
            ["embed", "--model", model.rawValue, "--weights", weights.path, "--input", "\(height)x\(width)",
             "--batch", "\(configuration.batch)",
             "--out", output.path] + crops.map(\.path),
            standardOutput: .discard, standardError: .capture)
        func timedRun() async throws -> Double {
            try? FileManager.default.removeItem(at: output)
            let start = MonotonicClock.seconds()
            let result = try await command.run()
            let seconds = MonotonicClock.seconds() - start
            guard result.status == 0 else {
                throw EmbedBenchmarkError(description: "panoptes embed (\(model.rawValue)) failed with status \(result.status): "
                    + result.stderrText)
            }
            let rows = try NumpyArray(contentsOf: output).shape.first ?? 0
            guard rows == crops.count else {
                throw EmbedBenchmarkError(description: "panoptes embed (\(model.rawValue)) wrote \(rows) embeddings for \(crops.count) crops")
            }
            return seconds
        }
        _ = try await timedRun()  // the weights and the crops into the page cache
        let session = try EmbedBenchmarkPeer.Session(
            peer: peer, model: model, weights: peerWeights, height: height, width: width, batch: configuration.batch,
            threads: threads, errors: work.appendingPathComponent("process-serve-stderr.txt"))
        defer { session.close() }
        var runs: [[Double]] = [], theirs: [Double] = []
        for _ in 0..<configuration.rounds {
            var turn = [try await timedRun()]
            while turn.reduce(0, +) < configuration.peerSeconds { turn.append(try await timedRun()) }
            runs.append(turn)
            theirs.append(try session.imagesPerSecond(seconds: configuration.peerSeconds))
        }
        return Row(model: model, height: height, width: width, batch: configuration.batch, crops: crops.count,
                   runs: runs, peerImagesPerSecond: theirs)
    }

    /// The line introducing the rows.
    public static let header = "whole process: `panoptes embed` of real crops (start-up, loading, decoding, writing included) "
        + "against ORT's steady state at the same model, input and batch"

    /// One row.
    public static func format(_ row: Row) -> String {
        padded(row.model.rawValue, 18) + String(format: " %3dx%-4d %5d   %d crops in %.2f s (median of %d runs) = %.1f img/s   ORT %.1f img/s   %.2fx   rounds %.2f-%.2fx",
                     row.height, row.width, row.batch, row.crops, median(row.seconds), row.seconds.count, median(row.imagesPerSecond),
                     median(row.peerImagesPerSecond), row.ratio, row.roundRatios.min() ?? 0, row.roundRatios.max() ?? 0)
    }
}
