import Foundation
import SeededRandom

/// Draws the frames of a `ScenePlan` in pure Swift into packed RGB24 buffers (row-major, 3 bytes a
/// pixel, no padding). Backgrounds are drawn once per camera; each frame copies its camera's
/// background, draws people and occluders far to near, and applies the camera's lighting.
public struct SceneRenderer: Sendable {
    /// The plan being drawn.
    public let plan: ScenePlan
    private let backgrounds: [[UInt8]]
    /// Per camera, per column: the lighting factor of each channel (gain × cast × slope), RGB interleaved.
    private let lights: [[Float]]

    /// Prepares the backgrounds and lighting of every camera of `plan`.
    public init(plan: ScenePlan) {
        self.plan = plan
        var lights: [[Float]] = []
        var backgrounds: [[UInt8]] = []
        for (index, view) in plan.views.enumerated() {
            let light = Self.lighting(view, width: plan.config.width)
            lights.append(light)
            backgrounds.append(Self.background(
                view, light: light, width: plan.config.width, height: plan.config.height,
                seed: plan.config.seed &+ UInt64(index) &* 7919))
        }
        self.lights = lights
        self.backgrounds = backgrounds
    }

    /// Number of bytes in one frame.
    public var frameByteCount: Int { plan.config.width * plan.config.height * 3 }

    /// Draws frame `frame` (0-based) of camera `camera` into `pixels` (resized to `frameByteCount`).
    public func render(camera: Int, frame: Int, into pixels: inout [UInt8]) {
        let figures = plan.figures(camera: camera, frame: frame)
        render(camera: camera, figures: figures, into: &pixels)
    }

    /// Draws `figures` (far to near) over camera `camera`'s background into `pixels`.
    public func render(camera: Int, figures: [Figure], into pixels: inout [UInt8]) {
        if pixels.count != frameByteCount { pixels = [UInt8](repeating: 0, count: frameByteCount) }
        let view = plan.views[camera]
        pixels.withUnsafeMutableBufferPointer { dst in
            backgrounds[camera].withUnsafeBufferPointer { src in
                dst.baseAddress!.update(from: src.baseAddress!, count: frameByteCount)
            }
        }
        var occluderIndex = 0
        for figure in figures {
            while occluderIndex < view.occluders.count && view.occluders[occluderIndex].depth <= figure.depth {
                drawOccluder(view.occluders[occluderIndex], camera: camera, into: &pixels)
                occluderIndex += 1
            }
            drawFigure(figure, camera: camera, into: &pixels)
        }
        while occluderIndex < view.occluders.count {
            drawOccluder(view.occluders[occluderIndex], camera: camera, into: &pixels)
            occluderIndex += 1
        }
    }

    // MARK: - Lighting

    private static func lighting(_ view: CameraView, width: Int) -> [Float] {
        var light = [Float](repeating: 0, count: width * 3)
        for x in 0..<width {
            let slope = 1 + view.lightSlope * (Float(x) / Float(width) - 0.5)
            light[3 * x] = view.gain * view.cast.r * slope
            light[3 * x + 1] = view.gain * view.cast.g * slope
            light[3 * x + 2] = view.gain * view.cast.b * slope
        }
        return light
    }

    @inline(__always)
    private static func store(_ c: RGBColor, x: Int, offset: Int, light: UnsafeBufferPointer<Float>, _ p: UnsafeMutableBufferPointer<UInt8>) {
        p[offset] = quantize(c.r * light[3 * x])
        p[offset + 1] = quantize(c.g * light[3 * x + 1])
        p[offset + 2] = quantize(c.b * light[3 * x + 2])
    }

    @inline(__always)
    private static func quantize(_ v: Float) -> UInt8 {
        UInt8(min(255, max(0, v * 255 + 0.5)))
    }

    // MARK: - Background

    /// Integer hash noise in 0..<1, the same on every machine.
    @inline(__always)
    static func noise(_ x: Int, _ y: Int, _ seed: UInt64) -> Float {
        var h = UInt64(truncatingIfNeeded: x) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: y) &* 0xC2B2_AE3D_27D4_EB4F ^ seed
        h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        return Float(h >> 40) / Float(1 << 24)
    }

    /// Smooth value noise with cells of `cell` pixels.
    static func smoothNoise(_ x: Int, _ y: Int, cell: Int, _ seed: UInt64) -> Float {
        let gx = x / cell, gy = y / cell
        let fx = Float(x % cell) / Float(cell), fy = Float(y % cell) / Float(cell)
        let a = noise(gx, gy, seed), b = noise(gx + 1, gy, seed)
        let c = noise(gx, gy + 1, seed), d = noise(gx + 1, gy + 1, seed)
        let top = a + (b - a) * fx, bottom = c + (d - c) * fx
        return top + (bottom - top) * fy
    }

    private static func background(_ view: CameraView, light: [Float], width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let horizon = Int(view.horizon * Double(height))
        let vanishX = Double(width) * 0.5
        // Doors and windows on the wall: drawn from the seed, darker or bluer than the wall.
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        var panels: [(x0: Int, x1: Int, y0: Int, color: RGBColor)] = []
        for _ in 0..<(2 + rng.index(3)) {
            let w = Int(rng.uniform(0.06, 0.14) * Double(width))
            let x0 = rng.index(max(1, width - w))
            let window = rng.chance(0.5)
            let y0 = window ? Int(Double(horizon) * rng.uniform(0.1, 0.4)) : Int(Double(horizon) * rng.uniform(0.05, 0.25))
            panels.append((x0, x0 + w, y0, window ? RGBColor(0.55, 0.65, 0.75) : view.wall.scaled(0.55)))
        }
        light.withUnsafeBufferPointer { light in
            pixels.withUnsafeMutableBufferPointer { p in
                for y in 0..<height {
                    for x in 0..<width {
                        var c: RGBColor
                        if y < horizon {
                            c = view.wall
                            if let panel = panels.first(where: { x >= $0.x0 && x < $0.x1 && y >= $0.y0 && y < horizon - 2 }) {
                                c = panel.color
                                if x == panel.x0 || x == panel.x1 - 1 || y == panel.y0 { c = c.scaled(0.6) }
                            } else {
                                let row = y / view.brick
                                let shift = row % 2 == 0 ? 0 : view.brick
                                let mortar = y % view.brick == 0 || (x + shift) % (2 * view.brick) == 0
                                c = mortar ? c.scaled(0.78) : c.scaled(0.92 + 0.16 * noise(x / (2 * view.brick), row, seed))
                            }
                            if y >= horizon - 3 { c = view.wall.scaled(0.45) }  // skirting board
                        } else {
                            // Floor tiles in perspective: world x = (x - vanish) / dy, world z = 1 / dy,
                            // scaled so a tile is `tile` pixels wide and deep at the bottom edge.
                            let dy = Double(y - horizon) + 1
                            let nearDy = Double(height - horizon)
                            let across = (Double(x) - vanishX) / dy * nearDy / Double(view.tile)
                            let along = nearDy * nearDy / dy / Double(view.tile)
                            let ti = Int(floor(across)), tj = Int(floor(along))
                            let fx = across - Double(ti), fz = along - Double(tj)
                            let joint = fx < 0.04 || fx > 0.96 || fz < 0.04 * nearDy / dy
                            c = view.floor.scaled((ti + tj) % 2 == 0 ? 1.0 : 0.9)
                            if joint { c = c.scaled(0.75) }
                        }
                        c = c.scaled(0.94 + 0.12 * smoothNoise(x, y, cell: 9, seed))
                        store(c, x: x, offset: (y * width + x) * 3, light: light, p)
                    }
                }
            }
        }
        return pixels
    }

    // MARK: - People and objects

    private func drawOccluder(_ o: Occluder, camera: Int, into pixels: inout [UInt8]) {
        let W = plan.config.width, H = plan.config.height
        let view = plan.views[camera]
        let foot = view.footY(depth: o.depth, frameHeight: H)
        let x0 = max(0, Int(((o.centerX - o.width / 2) * Double(W)).rounded()))
        let x1 = min(W, Int(((o.centerX + o.width / 2) * Double(W)).rounded()))
        let y0 = max(0, Int((foot - o.height * Double(H)).rounded()))
        let y1 = min(H, Int(foot.rounded()))
        guard x0 < x1, y0 < y1 else { return }
        lights[camera].withUnsafeBufferPointer { light in
            pixels.withUnsafeMutableBufferPointer { p in
                for y in y0..<y1 {
                    for x in x0..<x1 {
                        let u = Float(x - x0) / Float(max(1, x1 - x0 - 1)) - 0.5
                        var c = o.color.scaled(1.05 - 0.5 * u * u)
                        if y == y0 || y - y0 == 1 { c = c.scaled(1.2) }
                        Self.store(c, x: x, offset: (y * W + x) * 3, light: light, p)
                    }
                }
            }
        }
    }

    private func drawFigure(_ f: Figure, camera: Int, into pixels: inout [UInt8]) {
        let W = plan.config.width, H = plan.config.height
        let look = plan.people[f.person]
        let y0 = max(0, Int(f.y.rounded(.down))), y1 = min(H, Int((f.y + f.height).rounded(.up)))
        let x0 = max(0, Int(f.x.rounded(.down))), x1 = min(W, Int((f.x + f.width).rounded(.up)))
        guard x0 < x1, y0 < y1 else { return }
        let w = f.width, h = f.height
        let cx = f.x + w / 2
        let facing: Double = f.forward ? 1 : -1
        let swing = sin(f.phase)
        lights[camera].withUnsafeBufferPointer { light in
            pixels.withUnsafeMutableBufferPointer { p in
                for y in y0..<y1 {
                    let v = (Double(y) + 0.5 - f.y) / h
                    for x in x0..<x1 {
                        let px = Double(x) + 0.5
                        let dx = px - cx
                        guard let base = Self.part(look, v: v, dx: dx, px: px - f.x, w: w, h: h, facing: facing, swing: swing) else { continue }
                        // Round shading across the body, so people look solid rather than flat.
                        let r = Float(dx / (0.5 * w))
                        let shade = max(0.6, 1 - 0.3 * r * r)
                        Self.store(base.scaled(shade), x: x, offset: (y * W + x) * 3, light: light, p)
                    }
                }
            }
        }
    }

    /// The colour of the body part at (`dx` from the centre, `v` down from the top), or nil for background.
    private static func part(
        _ look: PersonAppearance, v: Double, dx: Double, px: Double, w: Double, h: Double, facing: Double, swing: Double
    ) -> RGBColor? {
        let ax = abs(dx)
        // Head and hair.
        if v < 0.135 {
            let hx = (dx - facing * 0.01 * h) / (0.062 * h), hy = (v - 0.068) / 0.068
            guard hx * hx + hy * hy <= 1 else { return nil }
            return (v < 0.035 || hx * facing < -0.45) ? look.hair : look.skin
        }
        if v < 0.155 { return ax < 0.035 * h ? look.skin : nil }
        // Bag on the side away from the walking direction.
        if let bag = look.bag, v > 0.38, v < 0.60, dx * facing < -0.28 * w, dx * facing > -0.47 * w { return bag }
        // Torso and sleeves.
        if v < 0.54 {
            let shoulder = 0.31 * w - (v - 0.155) * 0.08 * w
            if ax < shoulder { return torso(look, v: v, px: px, h: h) }
            let armEnd = 0.50 + 0.02 * swing * (dx > 0 ? 1 : -1)
            if ax < shoulder + 0.14 * w && v > 0.165 && v < armEnd {
                return v > armEnd - 0.045 ? look.skin : look.top.scaled(0.92)
            }
            return nil
        }
        // Legs, swinging with the walk.
        if v < 0.955 {
            let t = (v - 0.54) / 0.415
            if t < 0.12 { return ax < 0.27 * w ? look.bottom : nil }
            let offset = swing * 0.16 * w * t
            let left = -0.12 * w + offset * facing, right = 0.12 * w - offset * facing
            let half = 0.11 * w * (1 - 0.2 * t)
            return (abs(dx - left) < half || abs(dx - right) < half) ? look.bottom : nil
        }
        let offset = swing * 0.16 * w
        let left = -0.12 * w + offset * facing + facing * 0.03 * w, right = 0.12 * w - offset * facing + facing * 0.03 * w
        return (abs(dx - left) < 0.12 * w || abs(dx - right) < 0.12 * w) ? look.shoes : nil
    }

    private static func torso(_ look: PersonAppearance, v: Double, px: Double, h: Double) -> RGBColor {
        let p = look.patternPeriod
        let sy = Int((v / p).rounded(.down)) % 2 == 1
        let sx = Int((px / h / p).rounded(.down)) % 2 == 1
        switch look.topPattern {
        case .solid: return look.top
        case .horizontalStripes: return sy ? look.topAccent : look.top
        case .verticalStripes: return sx ? look.topAccent : look.top
        case .checks: return sx != sy ? look.topAccent : look.top
        case .yoke: return v < 0.27 ? look.topAccent : look.top
        }
    }
}
