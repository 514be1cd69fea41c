import Evaluation
import Foundation
import VideoIO

/// A small Market-1501-layout data set cut from a synthetic multi-camera scene, for CI and for the
/// `--pooling` ablation: person crops of Synth's renderer written as JPEG by VideoIO's ImageWriter.
///
/// Each person seen by a camera gives one query crop (their first good view there) and up to
/// `galleryPerView` gallery crops spread over their visits; background crops become distractors
/// (`0000`) and badly occluded views become junk (`-1`), so every rule of the protocol is exercised.
/// The same settings give the same file names and pixels.
public struct EvalSampleDataset: Sendable {
    /// The scene the crops come from.
    public var scene: SynthConfig
    /// Gallery crops kept per person and camera.
    public var galleryPerView: Int
    /// Smallest crop height in pixels.
    public var minHeight: Double
    /// Smallest visible fraction for a query or gallery crop.
    public var minVisibility: Double
    /// Background crops written as distractors.
    public var distractors: Int
    /// Occluded crops written as junk, at most.
    public var junk: Int

    /// About 400 images: 4 cameras, 16 people, 100 seconds at 1 frame per second, 640x360.
    public init() {
        var scene = SynthConfig()
        scene.cameras = 4
        scene.people = 16
        scene.seconds = 100
        scene.fps = 1
        scene.seed = 1501
        self.scene = scene
        self.galleryPerView = 5
        self.minHeight = 64
        self.minVisibility = 0.8
        self.distractors = 24
        self.junk = 8
    }

    /// What was written.
    public struct Summary: Sendable, Equatable {
        /// Query images.
        public var queries: Int
        /// Gallery images, distractors included.
        public var gallery: Int
        /// Distractor (`0000`) images in the gallery.
        public var distractors: Int
        /// Junk (`-1`) images.
        public var junk: Int
    }

    private struct Crop {
        var camera: Int
        var frame: Int
        var person: Int
        var box: (x: Int, y: Int, width: Int, height: Int)
    }

    /// Writes `query/` and `bounding_box_test/` under `root` (created if missing).
    ///
    /// - Throws: `SynthError` for a bad scene, `VideoError` when a JPEG cannot be written.
    public func write(to root: URL) throws -> Summary {
        let plan = try ScenePlan(config: scene)
        let renderer = SceneRenderer(plan: plan)
        let queryDir = root.appendingPathComponent(ReIDDataset.queryFolder)
        let galleryDir = root.appendingPathComponent(ReIDDataset.galleryFolder)
        for dir in [queryDir, galleryDir] { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) }
        let W = scene.width, H = scene.height

        // Pass 1: every usable view, in time order, without drawing.
        var views: [Int: [Crop]] = [:]  // key: person * 16 + camera
        var occluded: [Crop] = []
        var backgrounds: [Crop] = []
        var state: UInt64 = scene.seed
        func random(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        for camera in 0..<scene.cameras {
            for frame in 0..<scene.frameCount {
                let figures = plan.figures(camera: camera, frame: frame)
                let boxes = plan.groundTruth(camera: camera, frame: frame, figures: figures)
                for box in boxes {
                    let rect = (x: Int(box.x.rounded()), y: Int(box.y.rounded()), width: Int(box.width.rounded()), height: Int(box.height.rounded()))
                    guard rect.width >= 8, rect.height >= 16, rect.x >= 0, rect.y >= 0, rect.x + rect.width <= W, rect.y + rect.height <= H
                    else { continue }
                    let crop = Crop(camera: camera, frame: frame, person: box.id - 1, box: rect)
                    if box.visibility >= minVisibility && box.height >= minHeight && box.width >= box.height * 0.3 {
                        views[(box.id - 1) * 16 + camera, default: []].append(crop)
                    } else if box.visibility < 0.4 && box.height >= minHeight {
                        occluded.append(crop)
                    }
                }
                // A person-sized window touching nobody: a distractor candidate.
                if frame % 5 == 2 {
                    let h = 96 + random(64), w = h * 2 / 5
                    let x = random(W - w), y = random(H - h)
                    let clear = boxes.allSatisfy { b in
                        Double(x + w) <= b.x || Double(x) >= b.x + b.width || Double(y + h) <= b.y || Double(y) >= b.y + b.height
                    }
                    if clear { backgrounds.append(Crop(camera: camera, frame: frame, person: -1, box: (x, y, w, h))) }
                }
            }
        }

        // Pass 2: choose, then draw only the frames needed.
        var chosen: [(crop: Crop, folder: URL, id: String)] = []
        var queries = 0, gallery = 0
        for key in views.keys.sorted() {
            let list = views[key]!
            guard list.count >= 2 else { continue }
            let pid = String(format: "%04d", list[0].person + 1)
            chosen.append((list[0], queryDir, pid))
            queries += 1
            let rest = Array(list.dropFirst())
            let take = min(galleryPerView, rest.count)
            for k in 0..<take {
                chosen.append((rest[k * rest.count / take], galleryDir, pid))
                gallery += 1
            }
        }
        let distractorCrops = stride(from: 0, to: backgrounds.count, by: max(1, backgrounds.count / max(distractors, 1)))
            .prefix(distractors).map { backgrounds[$0] }
        for crop in distractorCrops { chosen.append((crop, galleryDir, "0000")) }
        let junkCrops = stride(from: 0, to: occluded.count, by: max(1, occluded.count / max(junk, 1))).prefix(junk).map { occluded[$0] }
        for crop in junkCrops { chosen.append((crop, galleryDir, "-1")) }

        var byFrame: [Int: [(crop: Crop, folder: URL, id: String)]] = [:]
        for item in chosen { byFrame[item.crop.camera * 1_000_000 + item.crop.frame, default: []].append(item) }
        var pixels: [UInt8] = []
        for frameKey in byFrame.keys.sorted() {
            let items = byFrame[frameKey]!
            renderer.render(camera: items[0].crop.camera, frame: items[0].crop.frame, into: &pixels)
            for (n, item) in items.enumerated() {
                let c = item.crop
                let name = "\(item.id)_c\(c.camera + 1)s1_\(String(format: "%06d", c.frame))_\(String(format: "%02d", n + 1)).jpg"
                try pixels.withUnsafeBufferPointer { p in
                    try ImageWriter.write(
                        pixels: p.baseAddress! + (c.box.y * W + c.box.x) * 3, width: c.box.width, height: c.box.height,
                        rowStride: W * 3, to: item.folder.appendingPathComponent(name).path, format: .jpeg(qscale: 3))
                }
            }
        }
        return Summary(queries: queries, gallery: gallery + distractorCrops.count, distractors: distractorCrops.count, junk: junkCrops.count)
    }
}
