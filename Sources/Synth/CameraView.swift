import SeededRandom

/// One camera's view of its corridor: where the floor is, how big people look near and far, the
/// lighting and colour cast, the background and the static occluders. Drawn from the scene seed.
public struct CameraView: Sendable, Equatable, Codable {
    /// The camera's name (`cam1` ...), also the stem of its files.
    public var name: String
    /// Where the wall meets the floor, as a fraction of the frame height.
    public var horizon: Double
    /// A person's foot line at depth 0 (far), as a fraction of the frame height.
    public var farFootY: Double
    /// A person's foot line at depth 1 (near), as a fraction of the frame height.
    public var nearFootY: Double
    /// A mean person's height at depth 0, as a fraction of the frame height.
    public var farHeight: Double
    /// A mean person's height at depth 1, as a fraction of the frame height.
    public var nearHeight: Double
    /// Overall brightness factor.
    public var gain: Float
    /// Per-channel colour cast, multiplied into every pixel.
    public var cast: RGBColor
    /// Brightness change from the left edge to the right edge (a window on one side).
    public var lightSlope: Float
    /// The wall's colour.
    public var wall: RGBColor
    /// The floor's colour.
    public var floor: RGBColor
    /// Brick size on the wall, in pixels.
    public var brick: Int
    /// Tile size on the floor at the near edge, in pixels.
    public var tile: Int
    /// Static occluders, far to near.
    public var occluders: [Occluder]
    /// How long crossing this view takes relative to the scene's mean crossing time.
    public var pathLength: Double

    /// The foot line in pixels at `depth`.
    func footY(depth: Double, frameHeight: Int) -> Double {
        (farFootY + (nearFootY - farFootY) * depth) * Double(frameHeight)
    }

    /// A mean person's height in pixels at `depth`.
    func personHeight(depth: Double, frameHeight: Int) -> Double {
        (farHeight + (nearHeight - farHeight) * depth) * Double(frameHeight)
    }

    /// A view for camera `index`, drawn from `rng`. Cameras differ in viewpoint (horizon, scales),
    /// lighting (gain, cast, slope), background and occluders, but never so much that colours flip.
    static func make(index: Int, rng: inout SplitMix64) -> CameraView {
        let horizon = rng.uniform(0.22, 0.40)
        let farFoot = horizon + rng.uniform(0.12, 0.20)
        let nearFoot = rng.uniform(0.93, 0.99)
        let nearHeight = min(nearFoot - 0.04, rng.uniform(0.58, 0.74))
        let farHeight = rng.uniform(0.24, 0.32)
        // Warm, cool, greenish and neutral casts in turn, so every scene has all kinds.
        let casts: [RGBColor] = [
            RGBColor(1.08, 1.00, 0.88), RGBColor(0.90, 0.98, 1.10),
            RGBColor(0.95, 1.06, 0.94), RGBColor(1.00, 1.00, 1.00),
        ]
        let cast = casts[index % casts.count].perturbed(0.03, &rng)
        let walls: [RGBColor] = [
            RGBColor(0.62, 0.55, 0.48), RGBColor(0.55, 0.58, 0.62), RGBColor(0.70, 0.68, 0.60),
            RGBColor(0.50, 0.45, 0.45), RGBColor(0.60, 0.62, 0.55),
        ]
        let floors: [RGBColor] = [
            RGBColor(0.42, 0.42, 0.44), RGBColor(0.55, 0.50, 0.42), RGBColor(0.35, 0.38, 0.36),
            RGBColor(0.60, 0.58, 0.55), RGBColor(0.45, 0.40, 0.38),
        ]
        var occluders: [Occluder] = []
        let occluderCount = 1 + rng.index(2)
        let occluderColors: [RGBColor] = [
            RGBColor(0.30, 0.25, 0.20), RGBColor(0.70, 0.70, 0.72), RGBColor(0.20, 0.35, 0.20),
            RGBColor(0.45, 0.30, 0.35),
        ]
        for k in 0..<occluderCount {
            let tall = rng.chance(0.5)
            occluders.append(Occluder(
                centerX: (Double(k) + rng.uniform(0.3, 0.7)) / Double(occluderCount),
                width: tall ? rng.uniform(0.04, 0.07) : rng.uniform(0.10, 0.18),
                height: tall ? rng.uniform(0.55, 0.80) : rng.uniform(0.14, 0.22),
                depth: rng.uniform(0.35, 0.75),
                color: occluderColors[rng.index(occluderColors.count)]))
        }
        occluders.sort { $0.depth < $1.depth }
        return CameraView(
            name: "cam\(index + 1)", horizon: horizon, farFootY: farFoot, nearFootY: nearFoot,
            farHeight: farHeight, nearHeight: nearHeight,
            gain: Float(rng.uniform(0.80, 1.12)), cast: cast, lightSlope: Float(rng.uniform(-0.25, 0.25)),
            wall: walls[rng.index(walls.count)], floor: floors[rng.index(floors.count)],
            brick: 10 + rng.index(10), tile: 36 + rng.index(30), occluders: occluders,
            pathLength: rng.uniform(0.85, 1.2))
    }
}
