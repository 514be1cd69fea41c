/// The in-process identity registry: compares each confirmed track's mean embedding with the identities
/// it may belong to under the camera topology's time constraints, joins or creates, and corrects itself
/// when later evidence contradicts an assignment.
///
/// Rules, in order:
/// - A confirmed track with `minEmbeddings` embeddings is associated. Candidates are the identities that
///   (a) have no visible track in the same camera, (b) are not visible at the same moment in a camera
///   whose view does not overlap this one, (c) were last seen in this camera within `reentryWindow`
///   seconds, or in an overlapping camera, or in another camera within the topology's transit window.
///   The best candidate by cosine similarity is joined when it reaches `matchThreshold` and leads the
///   runner-up by `margin`; otherwise a new identity is created.
/// - Every `recheckEvery` embeddings a joined track is compared again with the rest of its identity and
///   taken out below `correctionThreshold`; a track that created its identity joins an older one that
///   now passes the threshold and margin. Both emit `identity_corrected`.
/// - When one identity is visible at the same moment in two non-overlapping cameras (or twice in one),
///   the track that joined it last is taken out and re-associated (`identity_corrected`).
///
/// Memory is bounded: `maxFeaturesPerTrack` per track, `maxFeaturesPerIdentity` per identity, ended
/// tracks are dropped, identities expire after `identityRetention` and are capped at `maxIdentities`.
/// - Note: A value type; deterministic because every iteration runs over sorted keys.
public struct InMemoryIdentityRegistry: IdentityRegistry {
    /// The parameters.
    public let config: RegistryConfig
    private var tracks: [TrackKey: TrackInfo] = [:]
    private var identities: [Int: IdentityInfo] = [:]
    private var nextIdentity = 1
    private var lastTime = -Double.infinity

    /// A registry with `config`.
    public init(config: RegistryConfig = RegistryConfig()) {
        self.config = config
    }

    /// Identities currently remembered.
    public var identityCount: Int { identities.count }
    /// Live tracks currently followed.
    public var trackCount: Int { tracks.count }
    /// Embeddings held over all tracks and identities (a memory measure).
    public var storedFeatureCount: Int {
        tracks.values.reduce(0) { $0 + $1.features.count } + identities.values.reduce(0) { $0 + $1.gallery.count }
    }

    /// The identity a live track holds now, or nil.
    public func identity(camera: String, track: Int) -> Int? {
        tracks[TrackKey(camera: camera, track: track)]?.identity
    }

    /// Takes one camera's tracker step and returns the identity events it causes, in order.
    public mutating func ingest(_ step: TrackerStep) throws -> [IdentityEvent] {
        guard config.topology.knows(step.camera) else {
            throw TrackingError.unknownCamera(step.camera, expected: config.topology.cameras.joined(separator: ", "))
        }
        guard step.time >= lastTime else {
            throw TrackingError.timeOutOfOrder(camera: step.camera, frame: step.frame, time: step.time, previous: lastTime)
        }
        lastTime = step.time
        expire(now: step.time)
        var events: [IdentityEvent] = []
        for update in step.updates {
            let key = TrackKey(camera: update.camera, track: update.track)
            switch update.state {
            case .ended:
                guard let info = tracks.removeValue(forKey: key) else { continue }
                if let id = info.identity, var identity = identities[id] {
                    identity.members.remove(key)
                    identity.pastSightings[key.camera] = max(identity.pastSightings[key.camera] ?? -.infinity, info.lastTime)
                    identities[id] = identity
                }
                if info.started {
                    events.append(event(.trackEnded, key, info, update.time, update.frame, identity: info.identity))
                }
            case .lost:
                tracks[key]?.visible = false
            case .tentative, .confirmed:
                var info = tracks[key] ?? TrackInfo(firstTime: update.time)
                info.visible = true
                info.lastTime = update.time
                info.lastFrame = update.frame
                info.lastBox = update.box
                info.lastScore = update.score
                if !update.embedding.isEmpty {
                    info.remember(update.embedding, capacity: config.maxFeaturesPerTrack)
                    info.sinceCheck += 1
                    if let id = info.identity {
                        identities[id]?.remember(key, update.embedding, capacity: config.maxFeaturesPerIdentity)
                    }
                }
                if let id = info.identity { identities[id]?.lastSeenTime = update.time }
                var started = false
                if update.state == .confirmed && !info.started {
                    info.started = true
                    started = true
                }
                tracks[key] = info
                if started { events.append(event(.trackStarted, key, info, update.time, update.frame, identity: info.identity)) }
                guard update.state == .confirmed else { continue }
                if info.identity == nil && info.features.count >= config.minEmbeddings {
                    events.append(associate(key, now: update.time, frame: update.frame, excluding: []))
                } else if info.identity != nil && info.sinceCheck >= config.recheckEvery {
                    if let correction = recheck(key, now: update.time, frame: update.frame) { events.append(correction) }
                }
            }
        }
        events += resolveConflicts(step)
        evictOverCap()
        return events
    }

    // MARK: - Association

    private struct Candidate {
        var identity: Int
        var similarity: Double
        var fromCamera: String
        var gap: Double
    }

    /// Joins the best eligible identity or creates one; returns the event saying which.
    private mutating func associate(_ key: TrackKey, now: Double, frame: Int, excluding: Set<Int>) -> IdentityEvent {
        let ranked = candidates(for: key, now: now, excluding: excluding)
        var info = tracks[key]!
        info.sinceCheck = 0
        if let best = ranked.first, best.similarity >= config.matchThreshold,
           ranked.count < 2 || best.similarity - ranked[1].similarity >= config.margin {
            tracks[key] = info
            join(key, best.identity, now: now)
            let margin = ranked.count > 1 ? best.similarity - ranked[1].similarity : nil
            return event(.identityMatched, key, tracks[key]!, now, frame, identity: best.identity, similarity: best.similarity,
                         margin: margin, fromCamera: best.fromCamera, gap: best.gap)
        }
        let id = nextIdentity
        nextIdentity += 1
        identities[id] = IdentityInfo(id: id, lastSeenTime: now)
        info.joinedExisting = false
        tracks[key] = info
        join(key, id, now: now)
        tracks[key]!.joinedExisting = false
        return event(.identityAssigned, key, tracks[key]!, now, frame, identity: id, similarity: ranked.first?.similarity,
                     margin: ranked.count > 1 ? ranked[0].similarity - ranked[1].similarity : nil)
    }

    /// Eligible identities for `key`, best first (ties: lower id).
    private func candidates(for key: TrackKey, now: Double, excluding: Set<Int>) -> [Candidate] {
        guard let info = tracks[key], let mean = Self.mean(info.features.lazy.map { $0 }) else { return [] }
        let topology = config.topology
        let tolerance = config.simultaneityTolerance
        var result: [Candidate] = []
        for id in identities.keys.sorted() where !excluding.contains(id) && id != info.identity {
            let identity = identities[id]!
            var eligible = true
            var latest: (camera: String, time: Double)?
            func sighting(_ camera: String, _ time: Double) {
                if let l = latest, l.time > time || (l.time == time && l.camera <= camera) { return }
                latest = (camera, time)
            }
            for member in identity.members.sorted() where member != key {
                guard let other = tracks[member] else { continue }
                sighting(member.camera, other.lastTime)
                if member.camera == key.camera {
                    if other.visible { eligible = false }
                } else if !topology.overlap(member.camera, key.camera) && other.visible && now - other.lastTime <= tolerance {
                    eligible = false
                }
            }
            for (camera, time) in identity.pastSightings.sorted(by: { $0.key < $1.key }) { sighting(camera, time) }
            guard eligible, let last = latest else { continue }
            // Seen in a non-overlapping camera after this track appeared: both at once.
            var simultaneous = false
            for member in identity.members where member != key && !topology.overlap(member.camera, key.camera) {
                if let other = tracks[member], other.lastTime > info.firstTime + tolerance { simultaneous = true }
            }
            for (camera, time) in identity.pastSightings where !topology.overlap(camera, key.camera) {
                if time > info.firstTime + tolerance { simultaneous = true }
            }
            if simultaneous { continue }
            let gap = info.firstTime - last.time
            if last.camera == key.camera {
                guard gap >= -tolerance && gap <= config.reentryWindow else { continue }
            } else if !topology.overlap(last.camera, key.camera) {
                guard let window = topology.window(from: last.camera, to: key.camera),
                      gap >= window.min - tolerance, gap <= window.max else { continue }
            }
            guard let other = Self.mean(identity.gallery.lazy.filter { $0.key != key }.map(\.feature)) else { continue }
            let similarity = Double(CameraTracker.dot(mean, other))
            result.append(Candidate(identity: id, similarity: similarity, fromCamera: last.camera, gap: gap))
        }
        result.sort { $0.similarity > $1.similarity || ($0.similarity == $1.similarity && $0.identity < $1.identity) }
        return result
    }

    /// Re-examines an assigned track; returns a correction event when the evidence now says otherwise.
    private mutating func recheck(_ key: TrackKey, now: Double, frame: Int) -> IdentityEvent? {
        tracks[key]!.sinceCheck = 0
        let info = tracks[key]!
        guard let id = info.identity, let identity = identities[id], let mean = Self.mean(info.features.lazy.map { $0 }) else { return nil }
        if let others = Self.mean(identity.gallery.lazy.filter { $0.key != key }.map(\.feature)) {
            let similarity = Double(CameraTracker.dot(mean, others))
            guard similarity < config.correctionThreshold else { return nil }
            return correct(key, now: now, frame: frame, excluding: [id],
                           reason: "similarity to identity \(id) fell to \(Self.rounded(similarity)), below \(config.correctionThreshold)")
        }
        // The track created its identity alone: does an older identity now fit clearly?
        let ranked = candidates(for: key, now: now, excluding: [id])
        guard let best = ranked.first, best.similarity >= config.matchThreshold,
              ranked.count < 2 || best.similarity - ranked[1].similarity >= config.margin else { return nil }
        detach(key)
        join(key, best.identity, now: now)
        return event(.identityCorrected, key, tracks[key]!, now, frame, identity: best.identity, similarity: best.similarity,
                     margin: ranked.count > 1 ? best.similarity - ranked[1].similarity : nil, fromCamera: best.fromCamera,
                     gap: best.gap, previousIdentity: id,
                     reason: "identity \(id) merged into identity \(best.identity) after more evidence")
    }

    /// Takes `key` out of its identity and associates it again without the identities in `excluding`.
    private mutating func correct(_ key: TrackKey, now: Double, frame: Int, excluding: Set<Int>, reason: String) -> IdentityEvent {
        let previous = tracks[key]!.identity
        detach(key)
        var result = associate(key, now: now, frame: frame, excluding: excluding)
        result.kind = .identityCorrected
        result.previousIdentity = previous
        result.reason = reason
        return result
    }

    /// Identities visible at the same moment in two non-overlapping cameras (or twice in one camera):
    /// the track that joined last is corrected.
    private mutating func resolveConflicts(_ step: TrackerStep) -> [IdentityEvent] {
        var events: [IdentityEvent] = []
        for update in step.updates where update.isMatched && update.state == .confirmed {
            let key = TrackKey(camera: update.camera, track: update.track)
            guard let info = tracks[key], let id = info.identity, let identity = identities[id] else { continue }
            for member in identity.members.sorted() where member != key {
                guard let other = tracks[member], other.visible, update.time - other.lastTime <= config.simultaneityTolerance,
                      member.camera == key.camera || !config.topology.overlap(member.camera, key.camera) else { continue }
                let loser = (other.joinedAt, member) > (info.joinedAt, key) ? member : key
                let loserInfo = tracks[loser]!
                let reason = "identity \(id) was visible at the same moment in \(key.camera) track \(key.track) "
                    + "and \(member.camera) track \(member.track)"
                events.append(correct(loser, now: update.time, frame: loserInfo.lastFrame, excluding: [id], reason: reason))
                break
            }
        }
        return events
    }

    private mutating func join(_ key: TrackKey, _ id: Int, now: Double) {
        var info = tracks[key]!
        info.identity = id
        info.joinedAt = now
        info.joinedExisting = true
        tracks[key] = info
        var identity = identities[id]!
        identity.members.insert(key)
        identity.lastSeenTime = max(identity.lastSeenTime, now)
        for feature in info.orderedFeatures { identity.remember(key, feature, capacity: config.maxFeaturesPerIdentity) }
        identities[id] = identity
    }

    private mutating func detach(_ key: TrackKey) {
        guard let id = tracks[key]?.identity, var identity = identities[id] else { return }
        tracks[key]!.identity = nil
        identity.members.remove(key)
        identity.forget(key)
        if identity.members.isEmpty && identity.gallery.isEmpty && identity.pastSightings.isEmpty {
            identities[id] = nil
        } else {
            identities[id] = identity
        }
    }

    // MARK: - Memory bounds

    private mutating func expire(now: Double) {
        for id in identities.keys.sorted() {
            let identity = identities[id]!
            if identity.members.isEmpty && now - identity.lastSeenTime > config.identityRetention { identities[id] = nil }
        }
    }

    private mutating func evictOverCap() {
        guard identities.count > config.maxIdentities else { return }
        let evictable = identities.values.filter { $0.members.isEmpty }
            .sorted { ($0.lastSeenTime, $0.id) < ($1.lastSeenTime, $1.id) }
        for identity in evictable.prefix(identities.count - config.maxIdentities) { identities[identity.id] = nil }
    }

    // MARK: - Values

    private func event(
        _ kind: IdentityEvent.Kind, _ key: TrackKey, _ info: TrackInfo, _ time: Double, _ frame: Int, identity: Int?,
        similarity: Double? = nil, margin: Double? = nil, fromCamera: String? = nil, gap: Double? = nil,
        previousIdentity: Int? = nil, reason: String? = nil
    ) -> IdentityEvent {
        IdentityEvent(kind: kind, time: time, camera: key.camera, frame: frame, track: key.track, identity: identity,
                      bbox: info.lastBox, score: info.lastScore, similarity: similarity, margin: margin,
                      fromCamera: fromCamera, gap: gap, previousIdentity: previousIdentity, reason: reason)
    }

    /// The L2-normalised mean of `features`; nil when there are none.
    static func mean<S: Sequence>(_ features: S) -> [Float]? where S.Element == [Float] {
        var sum: [Float] = []
        for feature in features {
            if sum.isEmpty { sum = feature; continue }
            for i in sum.indices { sum[i] += feature[i] }
        }
        guard !sum.isEmpty else { return nil }
        CameraTracker.normalise(&sum)
        return sum
    }

    private static func rounded(_ value: Double) -> String {
        String((value * 1000).rounded() / 1000)
    }

    struct TrackKey: Hashable, Comparable, Sendable {
        var camera: String
        var track: Int
        static func < (a: TrackKey, b: TrackKey) -> Bool { (a.camera, a.track) < (b.camera, b.track) }
    }

    struct TrackInfo: Sendable {
        var firstTime: Double
        var lastTime: Double
        var lastFrame = 0
        var lastBox = BoundingBox(x: 0, y: 0, w: 0, h: 0)
        var lastScore = 0.0
        var features: [[Float]] = []
        var oldest = 0
        var identity: Int?
        var joinedAt = 0.0
        var joinedExisting = false
        var visible = true
        var started = false
        var sinceCheck = 0

        init(firstTime: Double) {
            self.firstTime = firstTime
            lastTime = firstTime
        }

        mutating func remember(_ feature: [Float], capacity: Int) {
            guard capacity > 0 else { return }
            if features.count < capacity {
                features.append(feature)
            } else {
                features[oldest] = feature
                oldest = (oldest + 1) % capacity
            }
        }

        /// Features oldest first.
        var orderedFeatures: [[Float]] { Array(features[oldest...] + features[..<oldest]) }
    }

    struct IdentityInfo: Sendable {
        let id: Int
        var gallery: [(key: TrackKey, feature: [Float])] = []
        var members: Set<TrackKey> = []
        /// Last sighting time per camera of the identity's ended tracks.
        var pastSightings: [String: Double] = [:]
        var lastSeenTime: Double

        init(id: Int, lastSeenTime: Double) {
            self.id = id
            self.lastSeenTime = lastSeenTime
        }

        /// Appends a feature, dropping the oldest beyond `capacity`.
        mutating func remember(_ key: TrackKey, _ feature: [Float], capacity: Int) {
            guard capacity > 0 else { return }
            if gallery.count >= capacity { gallery.removeFirst(gallery.count - capacity + 1) }
            gallery.append((key, feature))
        }

        mutating func forget(_ key: TrackKey) {
            gallery.removeAll { $0.key == key }
        }
    }
}
