import Foundation
import TestSupport
import XCTest

/// The real parts of a live camera for end-to-end tests: an ffmpeg CLI that streams vtest.avi in real
/// time (`-re`) over loopback, and the test detector (`Tests/Peers/live_detector.py`) that appends the
/// left view's HOG boxes (`Samples/vtest/left.det.txt`) to a JSONL stream in step with it.
enum LiveStreamer {
    /// The left virtual camera of the demo (its det.txt is in its own pixels).
    static let leftCrop = "[0, 0, 416, 576]"
    /// vtest.avi: 795 frames at 10 fps.
    static let frames = 795
    static let fps = 10.0

    /// The encoding: MPEG-2 with a keyframe every second, so a receiver that joins mid-stream decodes
    /// within a second; full size, so the left view's boxes fit.
    private static let encode = ["-an", "-c:v", "mpeg2video", "-g", "10", "-q:v", "6"]

    /// ffmpeg sending vtest.avi at its own pace, looped, as MPEG-TS to `url`: `udp://127.0.0.1:PORT`
    /// (pushed), or `http://127.0.0.1:PORT` served with `-listen 1` (one client; the stream starts when
    /// it connects).
    /// `scale` (`W:H`) sends a smaller picture, for tests that need no boxes in full-size pixels.
    static func start(_ url: String, scale: String? = nil) throws -> RunningProcess {
        var args = ["-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", Fixtures.vtest.path]
            + (scale.map { ["-vf", "scale=\($0)"] } ?? []) + encode + ["-f", "mpegts"]
        if url.hasPrefix("http") { args += ["-listen", "1", url] } else { args.append(url + "?pkt_size=1316") }
        return try RunningProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), args)
    }

    /// The presentation time of the stream's first frame, measured on the same encoding written to a
    /// file: ffmpeg's MPEG-TS muxer starts a stream at twice its mux delay plus the encoder's delay
    /// (1.5 s with ffmpeg 5-7), which the detector adds to frame n's n / fps.
    static func firstPTS(scratch: URL) throws -> Double {
        let ts = scratch.appendingPathComponent("probe.ts")
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"),
                                  ["-hide_banner", "-loglevel", "error", "-y", "-i", Fixtures.vtest.path, "-frames:v", "3"] + encode
                                    + ["-f", "mpegts", ts.path])
        guard made.status == 0 else { throw ProbeFailure(text: made.stderrText) }
        let probed = try runProcess(URL(fileURLWithPath: "/usr/bin/ffprobe"),
                                    ["-v", "error", "-select_streams", "v", "-show_entries", "frame=pts_time", "-of", "csv=p=0", ts.path])
        guard let first = probed.stdoutText.split(separator: "\n").first?.split(separator: ",").first.flatMap({ Double($0) }) else {
            throw ProbeFailure(text: probed.stdoutText + probed.stderrText)
        }
        return first
    }

    struct ProbeFailure: Error { var text: String }

    /// The test detector appending to `out` (a file or a FIFO), keyed by `key`, `lag` seconds behind
    /// the frames' moments counted from `streamStart` (when the streamer started). Waits until it has
    /// opened `out` unless `waitForStart` is false (a FIFO opens only once its reader has).
    static func detector(out: URL, ptsOffset: Double, streamStart: Date, key: String = "pts", lag: Double = 0.2, loop: Bool = true,
                         truncate: Bool = false, waitForStart: Bool = true) throws -> RunningProcess {
        var args = [Fixtures.peers.appendingPathComponent("live_detector.py").path,
                    "--det", Fixtures.repoRoot.appendingPathComponent("Samples/vtest/left.det.txt").path,
                    "--out", out.path, "--fps", "\(fps)", "--frames", "\(frames)", "--pts-offset", "\(ptsOffset)",
                    "--key", key, "--lag", "\(lag)", "--start", "\(streamStart.timeIntervalSince1970)"]
        if loop { args.append("--loop") }
        if truncate { args.append("--truncate") }
        let process = try RunningProcess(Fixtures.python, args)
        guard waitForStart else { return process }
        guard process.waitUntil(timeout: 30, { out, _ in out.contains("started") }) else {
            throw ProbeFailure(text: "the detector did not start: \(process.stderrText)")
        }
        return process
    }

    /// What a live run with detections needs: a scratch folder, the pipeline, the event and detection
    /// files, the stream's url and its first pts.
    struct Setup {
        var out: URL
        var pipeline: URL
        var events: URL
        var detections: URL
        var url: String
        var offset: Double
    }

    /// A scratch folder with `live.yaml`: camera `street` on UDP `port`, detections at `detections.jsonl`
    /// (a named pipe when `fifo`), a 5 s stall timeout and a 1 s detections latency, then `extra`.
    static func setUp(port: Int, fifo: Bool = false, extra: String = "") throws -> Setup {
        let out = try Fixtures.temporaryDirectory()
        let detections = out.appendingPathComponent("detections.jsonl")
        if fifo { XCTAssertEqual(mkfifo(detections.path, 0o600), 0) }
        let url = "udp://127.0.0.1:\(port)"
        let pipeline = out.appendingPathComponent("live.yaml")
        try LiveStreamer.pipeline(pipeline, url: url, detections: detections, extra: """
            stall_timeout: 5
            detections_latency: 1

            """ + extra)
        return Setup(out: out, pipeline: pipeline, events: out.appendingPathComponent("events.jsonl"), detections: detections,
                     url: url, offset: try firstPTS(scratch: out))
    }

    /// A live pipeline of one camera `street` on `url` (the left view) with detections at `detections`.
    static func pipeline(_ file: URL, url: String, detections: URL?, extra: String) throws {
        var text = """
            cameras:
              - id: street
                url: \(url)
                crop: \(leftCrop)

            """
        if let detections { text += "    detections:\n      path: \(detections.path)\n" }
        text += "model:\n  weights: \(Fixtures.mobilenetWeights.path)\n" + extra
        try Data(text.utf8).write(to: file)
    }

    /// Lines of `type` in an event file's bytes.
    static func count(_ data: Data, type: String) -> Int {
        String(decoding: data, as: UTF8.self).split(separator: "\n").filter { $0.contains("\"type\":\"\(type)\"") }.count
    }

    /// The summary's line about camera `id`'s detections (`street: detections: 3 late lines, ...`).
    static func detectionsLine(_ stderr: String, camera id: String) -> String? {
        stderr.split(separator: "\n").first { $0.hasPrefix("\(id): detections:") }.map(String.init)
    }
}
