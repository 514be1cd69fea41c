import ArgumentParser
import Benchmarks
import Foundation

/// `panoptes bench decode`: Frames per second decoding to RGB24, next to the ffmpeg CLI.
struct BenchDecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Frames per second decoding to RGB24, next to the ffmpeg CLI.",
        discussion: """
            Runs Panoptes's reader and `ffmpeg -benchmark -threads T -i FILE -pix_fmt rgb24 -f null -` \
            alternately, best of --repeats each, and prints both speeds and their ratio.
            """)

    @Argument(help: "The video to decode (omit with --generate-1080p).")
    var file: String?

    @Flag(name: .customLong("generate-1080p"), help: "Decode a 1080p H.264 clip generated from Samples/data/vtest.avi (made once, then reused).")
    var generate1080p = false

    @Option(help: "Where --generate-1080p keeps its clip.")
    var clip = FileManager.default.temporaryDirectory.appendingPathComponent("panoptes-bench/vtest-1080p-h264.mp4").path

    @Option(help: "Decoder threads for both Panoptes and ffmpeg (0 lets FFmpeg choose).")
    var threads = 0

    @Option(help: "Runs per side; the best run of each counts.")
    var repeats = 3

    func validate() throws {
        guard (file == nil) == generate1080p else {
            throw ValidationError("Give either a FILE or --generate-1080p (one of the two).")
        }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 (automatic) or more, got \(threads).") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats).") }
    }
}

extension BenchDecodeCommand {
    func run() async throws {
        var path = file ?? clip
        if generate1080p {
            if !FileManager.default.fileExists(atPath: clip) {
                let source = "Samples/data/vtest.avi"
                guard FileManager.default.fileExists(atPath: source) else {
                    throw DecodeBenchmark.Failure(
                        description: "--generate-1080p needs \(source): run from the repository root after `make samples`")
                }
                FileHandle.standardError.write(Data("generating \(clip) from \(source) ...\n".utf8))
                try await DecodeBenchmark.generate1080p(from: source, to: clip)
            }
            path = clip
        }
        let benchmark = DecodeBenchmark(path: path, threads: threads, repeats: repeats)
        print(benchmark.format(try await benchmark.run()))
    }
}
