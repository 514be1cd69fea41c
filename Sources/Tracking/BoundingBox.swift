/// An axis-aligned box in pixels: top-left corner `x`, `y`, width `w`, height `h` (MOTChallenge's `x,y,w,h`).
public struct BoundingBox: Sendable, Hashable, Codable {
    /// Left edge in pixels.
    public var x: Double
    /// Top edge in pixels.
    public var y: Double
    /// Width in pixels.
    public var w: Double
    /// Height in pixels.
    public var h: Double

    /// Makes a box from its top-left corner and size.
    public init(x: Double, y: Double, w: Double, h: Double) {
        self.x = x
        self.y = y
        self.w = w
        self.h = h
    }

    /// True when every coordinate is finite and the box has a positive width and height.
    public var isValid: Bool {
        x.isFinite && y.isFinite && w.isFinite && h.isFinite && w > 0 && h > 0
    }

    /// The box's centre x, centre y, aspect ratio w/h and height: the Kalman filter's measurement space.
    public var xyah: (Double, Double, Double, Double) {
        (x + w / 2, y + h / 2, w / h, h)
    }

    /// Makes a box from centre x, centre y, aspect ratio w/h and height.
    public init(xyah cx: Double, _ cy: Double, _ a: Double, _ height: Double) {
        let width = a * height
        self.init(x: cx - width / 2, y: cy - height / 2, w: width, h: height)
    }

    /// This box cut to the frame `0..<width`, `0..<height`; nil when nothing of it is left inside.
    public func clipped(width: Double, height: Double) -> BoundingBox? {
        let left = max(x, 0), top = max(y, 0)
        let right = min(x + w, width), bottom = min(y + h, height)
        guard right > left, bottom > top else { return nil }
        return BoundingBox(x: left, y: top, w: right - left, h: bottom - top)
    }

    /// Intersection over union with `other`, in 0...1 (0 when either box is empty).
    ///
    /// Computed in the same order as py-motmetrics' `boxiou`, so that results agree to the last bit.
    public func iou(_ other: BoundingBox) -> Double {
        let aMaxX = x + w, aMaxY = y + h
        let bMaxX = other.x + other.w, bMaxY = other.y + other.h
        let iw = max(min(aMaxX, bMaxX) - max(x, other.x), 0)
        let ih = max(min(aMaxY, bMaxY) - max(y, other.y), 0)
        let intersection = iw * ih
        if intersection == 0 { return 0 }
        let aArea = max(aMaxX - x, 0) * max(aMaxY - y, 0)
        let bArea = max(bMaxX - other.x, 0) * max(bMaxY - other.y, 0)
        return intersection / (aArea + bArea - intersection)
    }
}
