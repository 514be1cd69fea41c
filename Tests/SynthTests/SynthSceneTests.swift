import Foundation
import TestSupport
import XCTest

@testable import Synth
import SeededRandom

/// The synthetic scene's files as a scorer would read them: deterministic, sane ground truth, and
/// detections whose error rates are the configured ones.
final class SynthSceneTests: XCTestCase {
    /// A parsed line of a MOT file (only what these checks need).
    struct Row: Equatable {
        var frame: Int, id: Int, x: Double, y: Double, w: Double, h: Double, conf: Double, vis: Double
    }

    static func rows(_ url: URL) throws -> [Row] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            let f = line.split(separator: ",").map { Double($0)! }
            return Row(frame: Int(f[0]), id: Int(f[1]), x: f[2], y: f[3], w: f[4], h: f[5], conf: f[6], vis: f[8])
        }
    }

    static func smallConfig(seed: UInt64 = 7) -> SynthConfig {
        var c = SynthConfig()
        c.cameras = 2
        c.people = 4
        c.seconds = 20
        c.seed = seed
        return c
    }

    private func write(_ config: SynthConfig) throws -> URL {
        let dir = try Fixtures.temporaryDirectory()
        _ = try SceneGenerator(config: config).write(to: dir, video: false)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    private func files(_ dir: URL, cameras: Int) throws -> [String: Data] {
        var out: [String: Data] = [:]
        var names = ["scene.json"]
        for c in 1...cameras { names += ["cam\(c).gt.txt", "cam\(c).det.txt"] }
        for name in names { out[name] = try Data(contentsOf: dir.appendingPathComponent(name)) }
        return out
    }

    func testSceneGenerator_sameSeed_writesByteIdenticalFiles() throws {
        let a = try files(write(Self.smallConfig()), cameras: 2)
        let b = try files(write(Self.smallConfig()), cameras: 2)
        XCTAssertEqual(a.count, 5)
        for (name, data) in a {
            XCTAssertFalse(data.isEmpty, name)
            XCTAssertEqual(data, b[name], "\(name) differs between two runs with the same seed")
        }
    }

    func testSceneGenerator_differentSeed_writesDifferentFiles() throws {
        let a = try files(write(Self.smallConfig(seed: 7)), cameras: 2)
        let b = try files(write(Self.smallConfig(seed: 8)), cameras: 2)
        for name in ["cam1.gt.txt", "cam2.gt.txt", "cam1.det.txt", "cam2.det.txt", "scene.json"] {
            XCTAssertNotEqual(a[name], b[name], "\(name) is the same for seeds 7 and 8")
        }
    }

    func testSceneRenderer_sameSeed_drawsIdenticalPixels_differentSeedDoesNot() throws {
        func frame(_ seed: UInt64) throws -> [UInt8] {
            let plan = try ScenePlan(config: Self.smallConfig(seed: seed))
            var pixels: [UInt8] = []
            SceneRenderer(plan: plan).render(camera: 1, frame: 60, into: &pixels)
            return pixels
        }
        let a = try frame(3), b = try frame(3), c = try frame(4)
        XCTAssertEqual(a.count, 640 * 360 * 3)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    /// The default 4-camera scene's ground truth (no video): what the multi-camera targets are measured on.
    func testGroundTruth_defaultScene_boxesInsideFrameIdsConsistentPeopleCrossCamerasAfterAGap() throws {
        let config = SynthConfig()
        let dir = try write(config)
        let scene = try JSONDecoder.snakeCase.decode(SceneDescription.self, from: Data(contentsOf: dir.appendingPathComponent("scene.json")))
        XCTAssertEqual(scene.cameras.map(\.name), ["cam1", "cam2", "cam3", "cam4"])
        XCTAssertEqual(scene.cameras.map(\.frames), [600, 600, 600, 600])
        XCTAssertTrue(scene.overlaps.isEmpty)
        // Seen (counted) intervals per person and camera, in seconds.
        var seen: [Int: [(camera: Int, first: Double, last: Double)]] = [:]
        for (c, camera) in scene.cameras.enumerated() {
            let rows = try Self.rows(dir.appendingPathComponent(camera.groundTruth))
            XCTAssertFalse(rows.isEmpty)
            var perFrameIds: [Int: Set<Int>] = [:]
            var lastFrameOf: [Int: Int] = [:]
            for r in rows {
                XCTAssertTrue((1...600).contains(r.frame), "frame \(r.frame) out of range")
                XCTAssertTrue((1...12).contains(r.id), "id \(r.id) out of range")
                XCTAssertGreaterThanOrEqual(r.x, 0)
                XCTAssertGreaterThanOrEqual(r.y, 0)
                XCTAssertLessThanOrEqual(r.x + r.w, 640.001)
                XCTAssertLessThanOrEqual(r.y + r.h, 360.001)
                XCTAssertGreaterThan(r.w, 0)
                XCTAssertGreaterThan(r.h, 0)
                XCTAssertTrue((0...1).contains(r.vis))
                XCTAssertTrue(r.conf == 0 || r.conf == 1)
                XCTAssertTrue(perFrameIds[r.frame, default: []].insert(r.id).inserted, "id \(r.id) twice in frame \(r.frame)")
                guard r.conf == 1 else { continue }
                let t = Double(r.frame - 1) / 10
                if let last = lastFrameOf[r.id], last >= r.frame - 3 {
                    seen[r.id]![seen[r.id]!.count - 1].last = t
                } else {
                    seen[r.id, default: []].append((c, t, t))
                }
                lastFrameOf[r.id] = r.frame
            }
        }
        XCTAssertEqual(seen.count, 12, "every person is seen")
        var crossCamera = 0
        for (id, var visits) in seen {
            visits.sort { $0.first < $1.first }
            XCTAssertGreaterThan(Set(visits.map(\.camera)).count, 1, "person \(id) is seen in one camera only")
            for (a, b) in zip(visits, visits.dropFirst()) where a.camera != b.camera {
                crossCamera += 1
                let gap = b.first - a.last
                // Views do not overlap: a gap of at least the configured minimum, at most the window in scene.json.
                let window = scene.transitions.first { $0.from == "cam\(a.camera + 1)" && $0.to == "cam\(b.camera + 1)" }
                XCTAssertNotNil(window, "no transition cam\(a.camera + 1) → cam\(b.camera + 1) in scene.json")
                XCTAssertGreaterThanOrEqual(gap, config.minGapSeconds - 0.1, "person \(id): cam\(a.camera + 1)→cam\(b.camera + 1)")
                if let window { XCTAssertLessThanOrEqual(gap, window.maxGap + 3, "person \(id): gap \(gap)") }
            }
        }
        XCTAssertGreaterThan(crossCamera, 24, "people move between cameras")
    }

    /// Detections against ground truth: the miss rate, false positives per frame and jitter match the settings.
    func testDetections_configuredRates_areMeasuredOnTheFiles() throws {
        for (miss, fp) in [(0.10, 0.05), (0.30, 0.5)] {
            var config = SynthConfig()
            config.missRate = miss
            config.falsePositivesPerFrame = fp
            config.seconds = 40
            let dir = try write(config)
            var counted = 0, matched = 0, falsePositives = 0, frames = 0
            var relativeWidthErrors: [Double] = []
            for camera in config.cameraNames {
                let truth = try Self.rows(dir.appendingPathComponent("\(camera).gt.txt")).filter { $0.conf == 1 }
                let detections = try Self.rows(dir.appendingPathComponent("\(camera).det.txt"))
                let truthByFrame = Dictionary(grouping: truth, by: \.frame)
                let detectionsByFrame = Dictionary(grouping: detections, by: \.frame)
                frames += config.frameCount
                counted += truth.count
                for frame in 1...config.frameCount {
                    var free = truthByFrame[frame] ?? []
                    for d in detectionsByFrame[frame] ?? [] {
                        // Greedy best-IoU match: with 3% jitter a true detection overlaps its person far above 0.5.
                        let best = free.indices.max { iou(free[$0], d) < iou(free[$1], d) }
                        if let best, iou(free[best], d) >= 0.5 {
                            matched += 1
                            let g = free.remove(at: best)
                            if g.x > 1 && g.x + g.w < 639 { relativeWidthErrors.append((d.w - g.w) / g.w) }
                        } else {
                            falsePositives += 1
                        }
                    }
                }
            }
            let missRate = 1 - Double(matched) / Double(counted)
            let fpRate = Double(falsePositives) / Double(frames)
            XCTAssertEqual(missRate, miss, accuracy: 0.02, "miss rate")
            XCTAssertEqual(fpRate, fp, accuracy: max(0.02, fp * 0.2), "false positives per frame")
            let sd = (relativeWidthErrors.map { $0 * $0 }.reduce(0, +) / Double(relativeWidthErrors.count)).squareRoot()
            XCTAssertEqual(sd, config.jitter, accuracy: 0.006, "jitter of the width, relative to the box")
        }
    }

    func testSynthConfig_badSettings_nameTheOptionAndTheRange() {
        var c = SynthConfig()
        c.cameras = 5
        XCTAssertThrowsError(try c.validate()) { error in
            XCTAssertEqual("\(error)", "invalid --cameras '5': expected 2 to 4 cameras.")
        }
        c = SynthConfig()
        c.maxGapSeconds = 1
        XCTAssertThrowsError(try ScenePlan(config: c)) { error in
            XCTAssertEqual("\(error)", "invalid --max-gap '1.0': expected a gap from --min-gap (2.0) to 600 seconds.")
        }
        c = SynthConfig()
        c.width = 641
        XCTAssertThrowsError(try c.validate()) { error in
            XCTAssertTrue((error as? SynthError)?.isInvalidSetting == true)
        }
    }

    func testSplitMix64_knownSeed_givesTheReferenceSequence() {
        // Reference values of SplitMix64 for seed 1234567 (Vigna's splitmix64.c).
        var rng = SplitMix64(seed: 1_234_567)
        XCTAssertEqual(rng.next(), 6_457_827_717_110_365_317)
        XCTAssertEqual(rng.next(), 3_203_168_211_198_807_973)
        XCTAssertEqual(rng.next(), 9_817_491_932_198_370_423)
    }
}

private func iou(_ a: SynthSceneTests.Row, _ b: SynthSceneTests.Row) -> Double {
    let ix = max(0, min(a.x + a.w, b.x + b.w) - max(a.x, b.x))
    let iy = max(0, min(a.y + a.h, b.y + b.h) - max(a.y, b.y))
    let inter = ix * iy
    return inter / (a.w * a.h + b.w * b.h - inter)
}

extension JSONDecoder {
    static var snakeCase: JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }
}
