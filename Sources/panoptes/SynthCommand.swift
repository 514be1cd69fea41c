import ArgumentParser
import Foundation
import Synth

/// `panoptes synth`: Render a synthetic multi-camera scene with ground truth.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Render a synthetic multi-camera scene with ground truth.",
        discussion: """
            Writes <cam>.mp4, <cam>.gt.txt (MOT ground truth, global ids), <cam>.det.txt (supplied \
            detections with jitter, misses and false positives) for every camera, and scene.json. \
            The same settings always give byte-identical ground truth, detections and scene.json.
            """)

    @Option(help: "The folder to write the scene into (created if missing).")
    var out: String

    @Option(help: "Number of camera views (2 to 4).")
    var cameras = 4

    @Option(help: "Number of distinct people (1 to 24).")
    var people = 12

    @Option(help: "Length of every camera's video in seconds.")
    var seconds = 60.0

    @Option(help: "Seed of the scene's random generator.")
    var seed: UInt64 = 1

    @Option(help: "Frame width in pixels (even).")
    var width = 640

    @Option(help: "Frame height in pixels (even).")
    var height = 360

    @Option(help: "Frames per second.")
    var fps = 10

    @Option(help: "Detection box jitter, as a fraction of the box size (standard deviation).")
    var jitter = 0.03

    @Option(help: "Probability that a visible person gets no detection in a frame.")
    var missRate = 0.10

    @Option(help: "Mean number of false-positive detections per frame.")
    var falsePositives = 0.05

    @Option(help: "Mean seconds a person takes to cross one camera view.")
    var crossingSeconds = 8.0

    @Option(help: "Shortest gap in seconds between leaving one camera and entering the next.")
    var minGap = 2.0

    @Option(help: "Longest gap in seconds between leaving one camera and entering the next.")
    var maxGap = 5.0

    @Flag(help: "Write ground truth, detections and scene.json only (no video).")
    var noVideo = false

    var config: SynthConfig {
        var c = SynthConfig()
        c.cameras = cameras
        c.people = people
        c.seconds = seconds
        c.seed = seed
        c.width = width
        c.height = height
        c.fps = fps
        c.jitter = jitter
        c.missRate = missRate
        c.falsePositivesPerFrame = falsePositives
        c.crossingSeconds = crossingSeconds
        c.minGapSeconds = minGap
        c.maxGapSeconds = maxGap
        return c
    }
}

extension SynthCommand {
    func validate() throws {
        do {
            try config.validate()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let generator = try SceneGenerator(config: config)
        let directory = URL(fileURLWithPath: out)
        _ = try generator.write(to: directory, video: !noVideo) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        print("wrote \(config.cameras) cameras, \(config.frameCount) frames each, to \(directory.path)")
    }
}
