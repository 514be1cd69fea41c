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

    /// Appearance model. Default `.gallery`, DeepSORT's: on three generated 4-camera scenes it kept
    /// within-camera IDF1 at or above deep-sort-realtime's on all three, the moving average on two.
    public var appearance: Appearance = .gallery
    /// At most this many embeddings a track keeps (K, DeepSORT's `nn_budget`). Default 100.
    public var maxFeaturesPerTrack: Int = 100
    /// Appearance gate: pairs with a larger cosine distance do not match by appearance. Default 0.2.
    public var maxCosineDistance: Double = 0.2
    /// Motion gate: squared Mahalanobis distance limit, the chi-square 0.95 quantile for 4 degrees of
    /// freedom. Default 9.4877.
    public var gatingThreshold: Double = 9.4877
    /// Appearance stage: the pair cost is `(1 − motionWeight) · cosine distance + motionWeight ·
    /// squared Mahalanobis distance` (StrongSORT's λ = 0.98), so that when two people's crops look alike,
    /// as when they cross, the one where the filter expects the track wins. 0 is DeepSORT's appearance
    /// only. Default 0.02.
    public var motionWeight: Double = 0.02
    /// IoU stage: pairs with 1 − IoU above this do not match. Default 0.7.
    public var maxIoUDistance: Double = 0.7
    /// IoU stage: a confirmed track may not take a detection whose appearance distance exceeds
    /// `maxCosineDistance` (as in BoT-SORT), so that a person walking out at an edge does not hand the
    /// track to another walking in there. Not in DeepSORT. Default true.
    public var appearanceVetoesOverlap = true
    /// A track moving sideways does not take a detection that would have it walk back the other way:
    /// when the filter's horizontal speed is at least `reversalSpeed` × the box's height per frame and
    /// the detection's centre lies that far or more behind the track's last box, against its direction,
    /// the pair is not made in either stage. People do not turn round within a frame or two; two people
    /// passing each other, one walking out at an edge as the other walks in, do. 0 turns it off.
    /// Not in DeepSORT (OC-SORT's observation-centric momentum, as a veto). Default 0.01.
    public var reversalSpeed: Double = 0.01
    /// A track missing for more than this many frames ends. Default 30.
    public var maxAge: Int = 30
    /// A track last seen touching the frame's edge (within `edgeMargin`; needs `frameSize`) ends after
    /// this many unmatched frames instead of `maxAge`, and at once when its predicted centre leaves the
    /// frame: the person has most likely walked out of view, and a track kept open there would take the
    /// next person who walks in. Not in DeepSORT. Default 5.
    public var exitAge: Int = 5
    /// How close to the frame's edge a box must come to count as touching it, as a fraction of the
    /// frame's width (left and right edges) or height (top and bottom). Default 0.01.
    public var edgeMargin: Double = 0.01
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
