import XCTest
@testable import Benchmarks

/// Reading ffmpeg's `-benchmark` output: the numbers the decode benchmark compares Panoptes with.
final class DecodeBenchmarkTests: XCTestCase {
    /// What ffmpeg 6/7 writes with `-benchmark -f null -` (progress lines end in `\r`, the last wins).
    static let output = """
        Input #0, avi, from 'vtest.avi':
          Duration: 00:01:19.50, start: 0.000000, bitrate: 818 kb/s
        frame=  310 fps=0.0 q=-0.0 size=N/A time=00:00:31.00 bitrate=N/A speed=61.9x    \rframe=  795 fps=0.0 q=-0.0 Lsize=N/A time=00:01:19.50 bitrate=N/A speed=  63x
        video:333kB audio:0kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
        bench: utime=2.345s stime=0.012s rtime=1.262s
        bench: maxrss=52004KiB
        """

    func testMeasurement_ofBenchmarkOutput_takesLastFrameCountAndTimes() throws {
        let m = try DecodeBenchmark.measurement(benchmarkOutput: Self.output)
        XCTAssertEqual(m.frames, 795)
        XCTAssertEqual(m.seconds, 1.262, accuracy: 1e-12)
        XCTAssertEqual(m.cpuSeconds, 2.357, accuracy: 1e-12)
        XCTAssertEqual(m.framesPerSecond, 795 / 1.262, accuracy: 1e-9)
    }

    func testMeasurement_withoutBenchLine_saysWhatWasMissing() {
        XCTAssertThrowsError(try DecodeBenchmark.measurement(benchmarkOutput: "frame=  12 fps=0.0\n")) { error in
            XCTAssertTrue("\(error)".hasPrefix("could not read rtime/frame count from ffmpeg -benchmark output:\nframe=  12"), "\(error)")
        }
    }

    func testLastNumber_skipsSpacesAndStopsAtTheUnit() {
        XCTAssertEqual(DecodeBenchmark.lastNumber(after: "frame=", in: "frame=   7 x frame=  795 fps"), 795)
        XCTAssertEqual(DecodeBenchmark.lastNumber(after: "rtime=", in: "rtime=0.617s"), 0.617)
        XCTAssertNil(DecodeBenchmark.lastNumber(after: "rtime=", in: "utime=1s"))
    }

    func testFFmpegArguments_decodeToRGB24WithTheBenchmarksThreads() {
        let bench = DecodeBenchmark(path: "/data/clip.avi", threads: 2)
        XCTAssertEqual(bench.ffmpegArguments,
                       ["-nostdin", "-benchmark", "-threads", "2", "-i", "/data/clip.avi", "-pix_fmt", "rgb24", "-f", "null", "-"])
    }
}
