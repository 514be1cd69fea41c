/// Parameters of the cross-camera identity registry, with their defaults.
public struct RegistryConfig: Sendable, Equatable {
    /// Cameras, overlaps and transit windows. Default: any camera, no overlaps, transits 0 s to 10 min.
    public var topology = CameraTopology()
    /// A confirmed track is associated once it has this many embeddings. Default 3.
    public var minEmbeddings = 3
    /// Least cosine similarity (of mean embeddings) to join an existing identity. Default 0.6.
    public var matchThreshold = 0.6
    /// Least lead of the best identity's similarity over the runner-up's to join it. Default 0.05.
    public var margin = 0.05
    /// A joined track whose similarity to its identity (without its own features) falls below this is
    /// taken back out (an `identity_corrected` event). Default 0.45.
    public var correctionThreshold = 0.45
    /// An assigned track is re-checked after every this many new embeddings. Default 10.
    public var recheckEvery = 10
    /// At most this many embeddings kept per track (K). Default 30.
    public var maxFeaturesPerTrack = 30
    /// At most this many embeddings kept per identity (the newest). Default 100.
    public var maxFeaturesPerIdentity = 100
    /// Seconds within which a person who left a camera and comes back to it gets the old identity.
    /// Default 30 s.
    public var reentryWindow = 30.0
    /// An identity unseen for this many seconds, with no live track, is forgotten. Default 600 s.
    public var identityRetention = 600.0
    /// At most this many identities are kept. Above it, identities with no live track are evicted,
    /// least recently seen first (ties: lowest id); identities with a live track are never evicted.
    /// Default 10 000.
    public var maxIdentities = 10_000
    /// Two sightings less than this many seconds apart count as "at the same moment". Default 0.5 s.
    public var simultaneityTolerance = 0.5

    /// The defaults above.
    public init() {}

    /// The defaults with a topology.
    public init(topology: CameraTopology) {
        self.topology = topology
    }
}
