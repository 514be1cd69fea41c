import Foundation
import SeededRandom

/// The whole scene before any pixel is drawn: the cameras, the people's looks and every visit of every
/// person to every camera. Cameras form a ring (cam1 → cam2 → … → camN → cam1); leaving a view at its
/// right edge leads, after a gap within the transition window, into the next camera from its left edge,
/// and leaving at the left edge leads back to the previous camera; now and then someone turns round
/// instead and comes back into the same view from the side they left by. Views do not overlap.
public struct ScenePlan: Sendable {
    /// The settings the plan was drawn from.
    public let config: SynthConfig
    /// The camera views, in order.
    public let views: [CameraView]
    /// The people, in ground-truth id order (id = index + 1).
    public let people: [PersonAppearance]
    /// Every visit, sorted by camera, then entry time, then person.
    public let visits: [Visit]
    private let visitsByCamera: [[Visit]]

    /// Mean width of a person's box relative to its height.
    static let aspect = 0.40

    /// Draws the plan for `config` (validated first).
    public init(config: SynthConfig) throws(SynthError) {
        try config.validate()
        self.config = config
        var root = SplitMix64(seed: config.seed)
        var viewRNG = root.fork(1)
        var castRNG = root.fork(2)
        var walkRNG = root.fork(3)
        views = (0..<config.cameras).map { CameraView.make(index: $0, rng: &viewRNG) }
        people = PersonAppearance.cast(count: config.people, rng: &castRNG)
        var visits: [Visit] = []
        for person in 0..<config.people {
            visits += Self.itinerary(person: person, config: config, views: views, rng: &walkRNG)
        }
        visits.sort { ($0.camera, $0.enter, $0.person) < ($1.camera, $1.enter, $1.person) }
        self.visits = visits
        visitsByCamera = (0..<config.cameras).map { c in visits.filter { $0.camera == c } }
    }

    /// One person's walk around the ring from a random start until the scene ends.
    private static func itinerary(
        person: Int, config: SynthConfig, views: [CameraView], rng: inout SplitMix64
    ) -> [Visit] {
        let n = config.cameras
        let speed = rng.uniform(0.8, 1.25)
        var forward = rng.chance(0.5)
        var camera = rng.index(n)
        // Staggered starts: some people are mid-view when the videos begin, the rest arrive over the first third.
        let firstCross = config.crossingSeconds * views[camera].pathLength / speed
        var t = rng.uniform(-0.6 * firstCross, config.seconds * 0.33)
        var depth = rng.uniform(0.1, 0.9)
        var visits: [Visit] = []
        while t < config.seconds {
            let duration = config.crossingSeconds * views[camera].pathLength / speed * rng.uniform(0.9, 1.1)
            let depthOut = min(0.95, max(0.05, depth + rng.uniform(-0.35, 0.35)))
            visits.append(Visit(
                person: person, camera: camera, enter: t, exit: t + duration, forward: forward,
                depthIn: depth, depthOut: depthOut))
            t += duration + rng.uniform(config.minGapSeconds, config.maxGapSeconds)
            // Now and then someone turns round outside the view and comes back into the same camera.
            if rng.chance(0.15) {
                forward.toggle()
            } else {
                camera = forward ? (camera + 1) % n : (camera + n - 1) % n
            }
            depth = rng.uniform(0.1, 0.9)
        }
        return visits
    }

    /// The people inside camera `camera`'s view in frame `frame` (0-based), far to near.
    public func figures(camera: Int, frame: Int) -> [Figure] {
        let t = Double(frame) / Double(config.fps)
        let view = views[camera]
        let W = Double(config.width)
        var out: [Figure] = []
        for visit in visitsByCamera[camera] where visit.enter <= t && t <= visit.exit {
            let look = people[visit.person]
            let u = visit.progress(at: t)
            let depth = visit.depthIn + (visit.depthOut - visit.depthIn) * u
            let height = view.personHeight(depth: depth, frameHeight: config.height) * look.heightScale
            let width = height * Self.aspect * look.widthScale
            let along = -width / 2 + (W + width) * u
            let cx = visit.forward ? along : W - along
            let walkTime = t - visit.enter
            let phase = walkTime * 2 * Double.pi * 0.9
            let bob = abs(sin(phase)) * height * 0.012
            let foot = view.footY(depth: depth, frameHeight: config.height)
            let figure = Figure(
                person: visit.person, depth: depth, x: cx - width / 2, y: foot - height - bob,
                width: width, height: height, phase: phase, forward: visit.forward)
            if figure.x < W && figure.x + figure.width > 0 { out.append(figure) }
        }
        out.sort { ($0.depth, $0.person) < ($1.depth, $1.person) }
        return out
    }

    /// The fraction of `figure`'s box that is inside the frame and hidden neither by nearer people
    /// nor by nearer occluders, estimated on a 12 x 24 grid of points.
    public func visibility(of figure: Figure, among figures: [Figure], camera: Int) -> Double {
        let view = views[camera]
        let W = Double(config.width), H = Double(config.height)
        let nearer = figures.filter { ($0.depth, $0.person) > (figure.depth, figure.person) }
        let occluders = view.occluders.filter { $0.depth > figure.depth }.map { o -> (Double, Double, Double, Double) in
            let foot = view.footY(depth: o.depth, frameHeight: config.height)
            return ((o.centerX - o.width / 2) * W, (o.centerX + o.width / 2) * W, foot - o.height * H, foot)
        }
        let cols = 12, rows = 24
        var visible = 0
        for j in 0..<rows {
            let py = figure.y + (Double(j) + 0.5) / Double(rows) * figure.height
            for i in 0..<cols {
                let px = figure.x + (Double(i) + 0.5) / Double(cols) * figure.width
                if px < 0 || px >= W || py < 0 || py >= H { continue }
                // A person's silhouette fills about the middle 80% of their box's width.
                let hiddenByPerson = nearer.contains { o in
                    px >= o.x + 0.1 * o.width && px < o.x + 0.9 * o.width && py >= o.y && py < o.y + o.height
                }
                if hiddenByPerson { continue }
                if occluders.contains(where: { px >= $0.0 && px < $0.1 && py >= $0.2 && py < $0.3 }) { continue }
                visible += 1
            }
        }
        return Double(visible) / Double(cols * rows)
    }
}
