import Tracking

/// One line of a MOTChallenge file that Synth writes: a ground-truth box (`<cam>.gt.txt`) or a
/// supplied detection (`<cam>.det.txt`). Boxes are in pixels, clipped to the frame.
public struct SceneBox: Sendable, Equatable {
    /// Frame number, 1-based as in every MOTChallenge file (decode index + 1).
    public var frame: Int
    /// Global person id (1-based) for ground truth; -1 for detections.
    public var id: Int
    /// Left edge in pixels.
    public var x: Double
    /// Top edge in pixels.
    public var y: Double
    /// Width in pixels.
    public var width: Double
    /// Height in pixels.
    public var height: Double
    /// Ground truth: 1 when the box counts, 0 when too little of the person shows (ignored by
    /// `min_confidence=1` scoring). Detections: the detector score in 0...1.
    public var confidence: Double
    /// Ground truth only: the visible fraction of the person's unclipped box.
    public var visibility: Double

    /// The ground-truth line, `frame,id,x,y,w,h,conf,class,visibility` (class 1: pedestrian).
    public var groundTruthLine: String {
        "\(frame),\(id),\(Self.fixed(x)),\(Self.fixed(y)),\(Self.fixed(width)),\(Self.fixed(height)),\(Int(confidence)),1,\(Self.fixed(visibility))"
    }

    /// The detection line, `frame,-1,x,y,w,h,score,-1,-1,-1`.
    public var detectionLine: String {
        "\(frame),-1,\(Self.fixed(x)),\(Self.fixed(y)),\(Self.fixed(width)),\(Self.fixed(height)),\(Self.fixed(confidence, 3)),-1,-1,-1"
    }

    /// `value` with exactly `decimals` decimals, formatted with integer arithmetic so the text is the
    /// same on every platform.
    static func fixed(_ value: Double, _ decimals: Int = 2) -> String {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let n = Int64((value * Double(scale)).rounded())
        let sign = n < 0 ? "-" : ""
        let a = n.magnitude
        let whole = a / UInt64(scale), frac = a % UInt64(scale)
        var fracText = String(frac)
        while fracText.count < decimals { fracText = "0" + fracText }
        return "\(sign)\(whole).\(fracText)"
    }

    /// The box clipped to a `width` x `height` frame (Tracking's `BoundingBox.clipped`), or nil if
    /// nothing of it is inside.
    func clipped(width frameWidth: Int, height frameHeight: Int) -> SceneBox? {
        guard let inside = BoundingBox(x: x, y: y, w: width, h: height).clipped(width: Double(frameWidth), height: Double(frameHeight))
        else { return nil }
        var out = self
        (out.x, out.y, out.width, out.height) = (inside.x, inside.y, inside.w, inside.h)
        return out
    }
}
