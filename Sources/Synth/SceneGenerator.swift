import Foundation
import VideoIO

/// Writes a synthetic scene folder: per camera `<cam>.mp4` (unless video is off), `<cam>.gt.txt`
/// and `<cam>.det.txt`, and `scene.json`. Ground truth, detections and `scene.json` depend only on
/// the configuration, so the same settings give byte-identical files.
public struct SceneGenerator: Sendable {
    /// The plan the scene is drawn from.
    public let plan: ScenePlan

    /// A generator for `config`; throws `SynthError.invalidSetting` for a bad setting.
    public init(config: SynthConfig) throws(SynthError) {
        plan = try ScenePlan(config: config)
    }

    /// Writes the scene into `directory` (created if missing) and returns its description.
    ///
    /// - Parameters:
    ///   - video: false skips rendering and encoding (ground truth and detections are unchanged).
    ///   - progress: called with one line per finished camera.
    public func write(
        to directory: URL, video: Bool = true, progress: (String) -> Void = { _ in }
    ) throws -> SceneDescription {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw SynthError.writeFailed(directory.path, reason: "\(error.localizedDescription)")
        }
        let renderer = video ? SceneRenderer(plan: plan) : nil
        let description = SceneDescription(plan: plan)
        for (camera, info) in description.cameras.enumerated() {
            var truthText = "", detectionText = ""
            var synthesizer = DetectionSynthesizer(plan: plan, camera: camera)
            let videoPath = directory.appendingPathComponent(info.video).path
            var writer: VideoWriter? = nil
            if video {
                do {
                    writer = try VideoWriter(
                        path: videoPath, width: plan.config.width, height: plan.config.height,
                        frameRate: Rational(plan.config.fps, 1))
                } catch {
                    throw SynthError.encodeFailed(videoPath, reason: "\(error)")
                }
            }
            var pixels: [UInt8] = []
            var counted = 0, detected = 0
            for frame in 0..<plan.config.frameCount {
                let figures = plan.figures(camera: camera, frame: frame)
                let truth = plan.groundTruth(camera: camera, frame: frame, figures: figures)
                let detections = synthesizer.detections(frame: frame, truth: truth)
                for box in truth { truthText += box.groundTruthLine + "\n" }
                for box in detections { detectionText += box.detectionLine + "\n" }
                counted += truth.filter { $0.confidence == 1 }.count
                detected += detections.count
                if let renderer, let writer {
                    renderer.render(camera: camera, figures: figures, into: &pixels)
                    do {
                        try pixels.withUnsafeBufferPointer { try writer.append(pixels: $0.baseAddress!, rowStride: 3 * plan.config.width) }
                    } catch {
                        throw SynthError.encodeFailed(videoPath, reason: "\(error)")
                    }
                }
            }
            do {
                try writer?.finish()
            } catch {
                throw SynthError.encodeFailed(videoPath, reason: "\(error)")
            }
            try Self.writeText(truthText, to: directory.appendingPathComponent(info.groundTruth))
            try Self.writeText(detectionText, to: directory.appendingPathComponent(info.detections))
            progress("\(info.name): \(plan.config.frameCount) frames, \(counted) ground-truth boxes, \(detected) detections")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let json: Data
        do {
            json = try encoder.encode(description)
        } catch {
            throw SynthError.writeFailed(directory.appendingPathComponent("scene.json").path, reason: "\(error)")
        }
        try Self.writeText(String(decoding: json, as: UTF8.self) + "\n", to: directory.appendingPathComponent("scene.json"))
        return description
    }

    private static func writeText(_ text: String, to url: URL) throws(SynthError) {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw SynthError.writeFailed(url.path, reason: error.localizedDescription)
        }
    }
}
