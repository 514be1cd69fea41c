import Foundation
import TestSupport
import XCTest

@testable import Synth

/// The encoded videos, read back by the ffmpeg CLI: right size, rate and length, and showing what
/// the renderer drew (so the ground truth boxes point at the people).
final class SynthVideoTests: XCTestCase {
    func testSceneVideo_ffprobeAndFfmpegAgreeWithTheScene() throws {
        var config = SynthConfig()
        config.cameras = 2
        config.people = 3
        config.seconds = 4
        config.width = 320
        config.height = 180
        config.crossingSeconds = 3
        config.minGapSeconds = 1
        config.maxGapSeconds = 2
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let generator = try SceneGenerator(config: config)
        _ = try generator.write(to: dir)
        let renderer = SceneRenderer(plan: generator.plan)
        for (camera, name) in config.cameraNames.enumerated() {
            let video = dir.appendingPathComponent("\(name).mp4").path
            let probe = try runProcess(
                URL(fileURLWithPath: "/usr/bin/ffprobe"),
                ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                 "stream=width,height,r_frame_rate,nb_read_frames", "-of", "default=noprint_wrappers=1", video])
            XCTAssertEqual(probe.status, 0, probe.stderrText)
            XCTAssertEqual(
                probe.stdoutText.split(separator: "\n").sorted(),
                ["height=180", "nb_read_frames=40", "r_frame_rate=10/1", "width=320"])

            let frameBytes = 320 * 180 * 3
            let decoded = try Self.decodeRGB(video, frameBytes: frameBytes, frames: 40)
            XCTAssertEqual(decoded.count, 40 * frameBytes)
            // Encoded near-losslessly (CRF 18, yuv420p): every frame is within 30 dB PSNR of the render.
            var pixels: [UInt8] = []
            for frame in stride(from: 0, to: 40, by: 7) {
                renderer.render(camera: camera, frame: frame, into: &pixels)
                let start = frame * frameBytes
                var squared = 0.0
                for i in 0..<frameBytes {
                    let d = Double(pixels[i]) - Double(decoded[start + i])
                    squared += d * d
                }
                let psnr = 10 * log10(255 * 255 / (squared / Double(frameBytes)))
                XCTAssertGreaterThan(psnr, 30, "\(name) frame \(frame)")
            }
        }
    }

    /// A person's clothing is where the ground truth says, in the decoded video: the middle of a fully
    /// visible box has the person's top colour (after the camera's lighting), not the background's.
    func testGroundTruthBox_inDecodedVideo_showsThePersonsTopColour() throws {
        var config = SynthConfig()
        config.cameras = 2
        config.people = 12
        config.seconds = 6
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let generator = try SceneGenerator(config: config)
        _ = try generator.write(to: dir)
        let plan = generator.plan
        let frameBytes = 640 * 360 * 3
        let decoded = try Self.decodeRGB(dir.appendingPathComponent("cam1.mp4").path, frameBytes: frameBytes, frames: 60)
        var checked = 0
        for frame in stride(from: 0, to: 60, by: 5) {
            let figures = plan.figures(camera: 0, frame: frame)
            for box in plan.groundTruth(camera: 0, frame: frame, figures: figures) where box.visibility >= 0.99 {
                let look = plan.people[box.id - 1]
                guard look.topPattern == .solid || look.topPattern == .yoke else { continue }
                // A point on the torso, below a yoke.
                let x = Int(box.x + box.width / 2), y = Int(box.y + box.height * 0.42)
                let o = frame * frameBytes + (y * 640 + x) * 3
                let seen = (Float(decoded[o]), Float(decoded[o + 1]), Float(decoded[o + 2]))
                let view = plan.views[0]
                let slope = 1 + view.lightSlope * (Float(x) / 640 - 0.5)
                let expected = (look.top.r * view.gain * view.cast.r * slope * 255, look.top.g * view.gain * view.cast.g * slope * 255,
                                look.top.b * view.gain * view.cast.b * slope * 255)
                // Shading darkens the middle of the body by nothing; allow for compression and clipping.
                XCTAssertEqual(seen.0, min(255, expected.0), accuracy: 20, "person \(box.id) frame \(frame)")
                XCTAssertEqual(seen.1, min(255, expected.1), accuracy: 20, "person \(box.id) frame \(frame)")
                XCTAssertEqual(seen.2, min(255, expected.2), accuracy: 20, "person \(box.id) frame \(frame)")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 3)
    }

    /// Every frame of `video` as packed RGB24, decoded by the ffmpeg CLI; throws (failing the test
    /// instead of crashing it on an index) unless ffmpeg exits 0 with at least `frames` whole frames.
    private static func decodeRGB(_ video: String, frameBytes: Int, frames: Int) throws -> Data {
        let decoded = try runProcess(
            URL(fileURLWithPath: "/usr/bin/ffmpeg"), ["-nostdin", "-v", "error", "-i", video, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        guard decoded.status == 0 else { throw DecodeFailure(description: "ffmpeg exited \(decoded.status) on \(video): \(decoded.stderrText)") }
        guard decoded.stdout.count >= frames * frameBytes, decoded.stdout.count % frameBytes == 0 else {
            throw DecodeFailure(description: "ffmpeg gave \(decoded.stdout.count) bytes for \(video), expected \(frames) frames of \(frameBytes)")
        }
        return decoded.stdout
    }

    private struct DecodeFailure: Error, CustomStringConvertible { var description: String }
}
