/// One pass of one person through one camera view: from entering at one edge to leaving at the other.
public struct Visit: Sendable, Equatable, Codable {
    /// The person, 0-based (the global ground-truth id is `person + 1`).
    public var person: Int
    /// The camera, 0-based.
    public var camera: Int
    /// Media time, in seconds, when the first pixel of the person enters the view.
    public var enter: Double
    /// Media time, in seconds, when the last pixel leaves.
    public var exit: Double
    /// True when walking left to right (towards the next camera of the ring).
    public var forward: Bool
    /// Depth (0 far, 1 near) at entry.
    public var depthIn: Double
    /// Depth at exit.
    public var depthOut: Double

    /// Where the walk is at time `t`: 0 at entry, 1 at exit.
    func progress(at t: Double) -> Double { (t - enter) / (exit - enter) }
}
