/// A person placed in one frame of one camera: the unclipped box and what the renderer needs to draw it.
public struct Figure: Sendable, Equatable {
    /// The person, 0-based.
    public var person: Int
    /// Depth, 0 (far) to 1 (near): nearer figures are drawn later and hide farther ones.
    public var depth: Double
    /// Left edge in pixels (may be outside the frame while entering or leaving).
    public var x: Double
    /// Top edge in pixels.
    public var y: Double
    /// Width in pixels.
    public var width: Double
    /// Height in pixels.
    public var height: Double
    /// Walking cycle phase in radians (legs and arms swing with it).
    public var phase: Double
    /// True when walking left to right.
    public var forward: Bool
}
