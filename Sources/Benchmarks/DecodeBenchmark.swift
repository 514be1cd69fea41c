import ChildProcess
import Foundation
import ReIDNet
import VideoIO

/// Decode + RGB24 conversion speed of `VideoReader` next to the ffmpeg CLI, measured in the same run.
///
/// The peer is `ffmpeg -benchmark -threads T -i FILE -pix_fmt rgb24 -f null -`: the same decoder,
/// the same swscale conversion, no output. Its speed is the frame count over the `rtime` that
/// `-benchmark` prints (time spent transcoding, after the input is opened). Panoptes's speed is the
/// frame count over the time of the `nextFrame()` loop, also after the input is opened. Each side
/// runs `repeats` times, alternating, and the best run of each counts (least disturbed by other load).
/// CPU time (user + system, all threads) is reported too: on a shared machine it moves less with
/// other people's load than wall time does.
public struct DecodeBenchmark: Sendable {
    /// The video to decode.
    public var path: String
    /// Decoder threads for both sides (`-threads` for ffmpeg); 0 lets FFmpeg choose. Default 0.
    public var threads: Int
    /// Runs per side; the best counts. Default 3.
    public var repeats: Int
    /// The ffmpeg executable. Default `ffmpeg` from `PATH`.
    public var ffmpeg: String

    /// One side's best run.
    public struct Measurement: Sendable {
        /// Frames decoded.
        public var frames: Int
        /// Seconds of the best run.
        public var seconds: Double
        /// CPU seconds (user + system, all threads) of the best run.
        public var cpuSeconds: Double
        /// Frames per second of the best run.
        public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    }

    /// Both sides' results.
    public struct Report: Sendable {
        /// The stream decoded.
        public var info: VideoInfo
        /// Panoptes's `VideoReader`.
        public var panoptes: Measurement
        /// The ffmpeg CLI.
        public var ffmpeg: Measurement
        /// Panoptes's frames per second over ffmpeg's (1 = as fast; the target is at least 0.95).
        public var ratio: Double { ffmpeg.framesPerSecond > 0 ? panoptes.framesPerSecond / ffmpeg.framesPerSecond : 0 }
    }

    /// The benchmark failed to run (not a slow result: a missing tool, an unreadable file ...).
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong and what to do.
        public var description: String

        /// Creates a failure with the sentence the user reads.
        public init(description: String) {
            self.description = description
        }
    }

    /// Creates a benchmark; every parameter but `path` has the documented default.
    public init(path: String, threads: Int = 0, repeats: Int = 3, ffmpeg: String = "ffmpeg") {
        self.path = path
        self.threads = threads
        self.repeats = repeats
        self.ffmpeg = ffmpeg
    }

    /// Runs both sides `repeats` times, alternating, and reports the best run of each.
    public func run() async throws -> Report {
        var ours: Measurement?
        var theirs: Measurement?
        var info: VideoInfo?
        for _ in 0..<max(1, repeats) {
            let (measurement, streamInfo) = try measurePanoptes()
            info = streamInfo
            if ours.map({ measurement.seconds < $0.seconds }) ?? true { ours = measurement }
            let peer = try await measureFFmpeg()
            if theirs.map({ peer.seconds < $0.seconds }) ?? true { theirs = peer }
        }
        return Report(info: info!, panoptes: ours!, ffmpeg: theirs!)
    }

    private func measurePanoptes() throws -> (Measurement, VideoInfo) {
        let reader = try VideoReader(path: path, options: .init(threadCount: threads))
        var frames = 0
        let cpuBefore = Self.processCPUSeconds()
        let start = MonotonicClock.seconds()
        while let frame = try reader.nextFrame() {
            frames += 1
            _ = frame.width
        }
        let elapsed = MonotonicClock.seconds() - start
        let cpu = Self.processCPUSeconds() - cpuBefore
        return (Measurement(frames: frames, seconds: elapsed, cpuSeconds: cpu), reader.info)
    }

    /// The peer's command line (also printed in the report).
    public var ffmpegArguments: [String] {
        ["-nostdin", "-benchmark", "-threads", String(threads), "-i", path, "-pix_fmt", "rgb24", "-f", "null", "-"]
    }

    private func measureFFmpeg() async throws -> Measurement {
        let output = try await Self.runTool(ffmpeg, ffmpegArguments)
        guard output.status == 0 else {
            throw Failure(description: "ffmpeg failed on '\(path)' (exit \(output.status)): \(output.stderr.suffix(500))")
        }
        return try Self.measurement(benchmarkOutput: output.stderr)
    }

    /// The peer's measurement from what `ffmpeg -benchmark` writes to standard error: the
    /// "bench: utime=1.234s stime=0.012s rtime=0.617s" line and the last "frame=  795" progress line.
    static func measurement(benchmarkOutput stderr: String) throws -> Measurement {
        guard let rtime = lastNumber(after: "rtime=", in: stderr), let frames = lastNumber(after: "frame=", in: stderr) else {
            throw Failure(description: "could not read rtime/frame count from ffmpeg -benchmark output:\n\(stderr.suffix(500))")
        }
        let cpu = (lastNumber(after: "utime=", in: stderr) ?? 0) + (lastNumber(after: "stime=", in: stderr) ?? 0)
        return Measurement(frames: Int(frames), seconds: rtime, cpuSeconds: cpu)
    }

    /// Writes a 1080p H.264 clip (vtest.avi's pedestrians scaled to 1920x1080, 300 frames at 10 fps,
    /// x264 CRF 20) to `output` with the ffmpeg CLI, unless it already exists.
    public static func generate1080p(from source: String, to output: String, ffmpeg: String = "ffmpeg") async throws {
        if FileManager.default.fileExists(atPath: output) { return }
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: output).deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = output + ".partial.mp4"
        let result = try await runTool(ffmpeg, [
            "-nostdin", "-v", "error", "-y", "-i", source, "-frames:v", "300", "-vf", "scale=1920:1080",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", partial,
        ])
        guard result.status == 0 else {
            throw Failure(description: "ffmpeg could not generate the 1080p clip from '\(source)': \(result.stderr.suffix(500))")
        }
        try FileManager.default.moveItem(atPath: partial, toPath: output)
    }

    /// The report as printed by `panoptes bench decode`.
    public func format(_ report: Report) -> String {
        func fps(_ m: Measurement) -> String {
            String(format: "%8.1f frames/s  (%d frames in %.3f s, %.3f CPU s)", m.framesPerSecond, m.frames, m.seconds, m.cpuSeconds)
        }
        let cpuRatio = report.panoptes.cpuSeconds > 0 ? report.ffmpeg.cpuSeconds / report.panoptes.cpuSeconds : 0
        let info = report.info
        return """
            decode + RGB24: \(path)
              stream    \(info.codec) \(info.width)x\(info.height), threads \(threads == 0 ? "auto (0)" : String(threads)), best of \(max(1, repeats))
              panoptes  \(fps(report.panoptes))
              ffmpeg    \(fps(report.ffmpeg))  [ffmpeg \(ffmpegArguments.joined(separator: " "))]
              ratio     \(String(format: "%.3f", report.ratio))x  (target >= 0.95x); CPU-time ratio (ffmpeg / panoptes) \(String(format: "%.3f", cpuRatio))x
            """
    }

    /// User + system CPU seconds of this process so far, all threads (`getrusage(RUSAGE_SELF)`).
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The number after the last `key` in `text` (digits and a point, spaces before it skipped).
    static func lastNumber(after key: String, in text: String) -> Double? {
        guard let range = text.range(of: key, options: .backwards) else { return nil }
        let digits = text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber || $0 == "." }
        return Double(digits)
    }

    /// Runs `tool` (found on PATH) with its standard output discarded; its exit status and standard error.
    private static func runTool(_ tool: String, _ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        let child = ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), [tool] + arguments, standardOutput: .discard)
        do {
            let result = try await child.run()
            return (result.status, result.stderrText)
        } catch {
            throw Failure(description: "cannot run \(tool): \(error); install FFmpeg (apt-get install ffmpeg)")
        }
    }
}
