/// Parameters of the cross-camera identity registry, with their defaults.
public struct RegistryConfig: Sendable, Equatable {
    /// Cameras, overlaps and transit windows. Default: any camera, no overlaps, transits 0 s to 10 min.
    public var topology = CameraTopology()
    /// A confirmed track is associated once it has this many embeddings. Default 3.
    public var minEmbeddings = 3
    /// Set embeddings of boxes at the frame's edge aside (`TrackUpdate.atFrameEdge`: a person cut off
    /// while walking in or out, whose crop looks little like the whole person). They count only for a
    /// track that never leaves the edge, which is then associated once it has `3 × minEmbeddings` of
    /// them; the track's first embedding from inside the view replaces them. Default true.
    public var setAsideEdgeEmbeddings = true
    /// Least cosine similarity (of mean embeddings) to join an existing identity. Default 0.6.
    public var matchThreshold = 0.6
    /// Least lead of the best identity's similarity over the runner-up's to join it. Default 0.05.
    public var margin = 0.05
    /// A joined track whose similarity to its identity (without its own features) falls below this is
    /// taken back out (an `identity_corrected` event). Default 0.45.
    public var correctionThreshold = 0.45
    /// An assigned track is re-checked after every this many new embeddings. Default 10.
    public var recheckEvery = 10
    /// A track that created its own identity is compared with the other identities again on its first
    /// this many re-checks (a late merge, `identity_corrected`). Default 3.
    public var mergeChecks = 3
    /// At most this many tracks make up an identity's appearance, the newest (K for identities). Each
    /// contributes one vector: the sum of all its embeddings (those from inside the view, see
    /// `setAsideEdgeEmbeddings`), so an identity is compared as the mean of every embedding of its last
    /// `maxTracksPerIdentity` tracks, and a track as the mean of all its own. Default 10.
    ///
    /// Memory: an identity holds at most `maxTracksPerIdentity` vectors and a live track one (4 bytes per
    /// value), so with 1280-value embeddings and the defaults at most 2000 × 10 × 5 KiB ≈ 100 MiB of
    /// identities.
    public var maxTracksPerIdentity = 10
    /// Seconds within which a person who left a camera and comes back to it gets the old identity.
    /// Default 30 s.
    public var reentryWindow = 30.0
    /// An identity unseen for this many seconds, with no live track, is forgotten (never matched again;
    /// its memory is freed within the next second of media time). Default 600 s.
    public var identityRetention = 600.0
    /// At most this many identities are kept. Above it, identities with no live track are evicted,
    /// least recently seen first (ties: lowest id); identities with a live track are never evicted.
    /// Default 2000.
    public var maxIdentities = 2000
    /// Two sightings less than this many seconds apart count as "at the same moment". Default 0.5 s.
    public var simultaneityTolerance = 0.5

    /// Tracks that start within this many seconds of each other are associated jointly: when one is
    /// ready, it and the associated tracks that started with it are assigned to identities at once
    /// (largest total similarity, each identity at most once), so the first of several people walking
    /// in together cannot take the identity of one who follows. 0 turns it off. Default 1 s: on four
    /// generated 4- and 3-camera scenes (seeds 2-5, MobileNetV2 embeddings, the scenes `calibrate` is
    /// run on, never the reported ones) it raised multi-camera IDF1 on every scene (mean 0.774 to
    /// 0.811, worst 0.727 to 0.771); 0.5 s caught fewer of the groups (mean 0.797), 2 s the same as 1 s.
    public var jointWindow = 1.0
    /// Also re-solve the joint assignment at each re-check (`recheckEvery`) of a track with such a
    /// cohort, with the evidence grown since: the first decision rests on `minEmbeddings` embeddings,
    /// and near look-alikes are told apart by more. Default true: on the same scenes, deciding once
    /// only gave a mean of 0.795 (two of the four scenes lower).
    public var jointRecheck = true

    /// The defaults above.
    public init() {}

    /// The defaults with a topology.
    public init(topology: CameraTopology) {
        self.topology = topology
    }
}
