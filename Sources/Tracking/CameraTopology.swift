/// Which cameras see the same ground and how long people take to walk from one camera to another.
///
/// The pipeline's YAML fills this value; a scene's `scene.json` maps onto it one to one.
public struct CameraTopology: Sendable, Equatable {
    /// Seconds a person may take from leaving one camera to appearing in another, inclusive.
    public struct TransitionWindow: Sendable, Equatable {
        /// Shortest transit in seconds (≥ 0: a person cannot be in two non-overlapping views at once).
        public var min: Double
        /// Longest transit in seconds.
        public var max: Double

        /// A window from `min` to `max` seconds.
        public init(min: Double, max: Double) {
            self.min = min
            self.max = max
        }

        /// True when `gap` seconds lies inside the window.
        public func contains(_ gap: Double) -> Bool { gap >= min && gap <= max }
    }

    /// The known cameras; updates from any other camera are rejected. Empty: any camera is accepted.
    public var cameras: [String]
    /// Pairs of cameras whose views overlap (order does not matter): a person may be in both at once.
    public var overlaps: Set<[String]>
    /// Transit windows from one camera (first) to another (second).
    public var transitions: [[String]: TransitionWindow]
    /// The window for pairs not in `transitions`; nil forbids those transits. Default 0 s to 10 min.
    public var defaultTransition: TransitionWindow?

    /// A topology; by default any camera, no overlaps, every transit allowed within 0 s to 10 min.
    public init(
        cameras: [String] = [], overlaps: [(String, String)] = [], transitions: [(from: String, to: String, window: TransitionWindow)] = [],
        defaultTransition: TransitionWindow? = TransitionWindow(min: 0, max: 600)
    ) {
        self.cameras = cameras
        self.overlaps = Set(overlaps.map { [$0.0, $0.1].sorted() })
        var table: [[String]: TransitionWindow] = [:]
        for t in transitions { table[[t.from, t.to]] = t.window }
        self.transitions = table
        self.defaultTransition = defaultTransition
    }

    /// True when the two cameras' views overlap (a camera overlaps itself).
    public func overlap(_ a: String, _ b: String) -> Bool {
        a == b || overlaps.contains([a, b].sorted())
    }

    /// The transit window from camera `from` to camera `to`, or nil when that transit is not allowed.
    public func window(from: String, to: String) -> TransitionWindow? {
        transitions[[from, to]] ?? defaultTransition
    }

    /// The window for leaving `camera` and coming back to it, when the topology gives one explicitly
    /// (the registry's `reentryWindow` applies otherwise).
    public func returnWindow(_ camera: String) -> TransitionWindow? {
        transitions[[camera, camera]]
    }

    /// True when `camera` is known (or any camera is accepted).
    public func knows(_ camera: String) -> Bool { cameras.isEmpty || cameras.contains(camera) }
}
