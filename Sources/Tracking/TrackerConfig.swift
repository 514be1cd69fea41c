/// The per-camera tracker's parameters; every default is DeepSORT's unless its doc says otherwise.
public struct TrackerConfig: Sendable, Equatable {
    /// How a track's appearance is kept and compared with a detection's embedding.
    public enum Appearance: Sendable, Equatable {
        /// An exponential moving average of the track's L2-normalised embeddings,
        /// `f ← momentum·f + (1−momentum)·e` (StrongSORT); cost = 1 − cos(f, e). One dot product per pair.
        case movingAverage(momentum: Double)
        /// The last `maxFeaturesPerTrack` embeddings (DeepSORT's budgeted gallery); cost = the smallest
        /// cosine distance to any of them.
        case gallery
    }

    /// Appearance model. Default `.movingAverage(momentum: 0.9)`.
    public var appearance: Appearance = .movingAverage(momentum: 0.9)
    /// At most this many embeddings a track keeps (K, DeepSORT's `nn_budget`). Default 100.
    public var maxFeaturesPerTrack: Int = 100
    /// Appearance gate: pairs with a larger cosine distance do not match by appearance. Default 0.2.
    public var maxCosineDistance: Double = 0.2
    /// Motion gate: squared Mahalanobis distance limit, the chi-square 0.95 quantile for 4 degrees of
    /// freedom. Default 9.4877.
    public var gatingThreshold: Double = 9.4877
    /// IoU stage: pairs with 1 − IoU above this do not match. Default 0.7.
    public var maxIoUDistance: Double = 0.7
    /// A track missing for more than this many frames ends. Default 30.
    public var maxAge: Int = 30
    /// A new track becomes confirmed after this many consecutive matched frames. Default 3.
    public var confirmationHits: Int = 3
    /// Detections scoring below this are skipped (counted as `.lowScore`). Default 0 (keep all).
    public var minDetectionScore: Double = 0
    /// Frame width and height in pixels; when set, boxes are clipped to the frame and boxes wholly
    /// outside it are skipped (`.outsideFrame`). Default nil (no clipping).
    public var frameSize: (width: Double, height: Double)? {
        get { frameWidth.map { ($0, frameHeight ?? 0) } }
        set { frameWidth = newValue?.width; frameHeight = newValue?.height }
    }
    private var frameWidth: Double?
    private var frameHeight: Double?

    /// The defaults above.
    public init() {}

    /// Configuration with a frame size for clipping.
    public init(frameWidth: Double, frameHeight: Double) {
        self.frameWidth = frameWidth
        self.frameHeight = frameHeight
    }
}
