import DequeModule

/// The in-process identity registry: compares each confirmed track's mean embedding with the identities
/// it may belong to under the camera topology's time constraints, joins or creates, and corrects itself
/// when later evidence contradicts an assignment.
///
/// Rules, in order:
/// - A confirmed track with `minEmbeddings` embeddings is associated (one without any embedding gets a
///   new identity when confirmed). Candidates are the identities that
///   (a) have no visible track in the same camera, (b) are not visible at the same moment in a camera
///   whose view does not overlap this one, (c) were last seen in this camera within `reentryWindow`
///   seconds (or within the topology's window from this camera to itself, when it gives one), or in an
///   overlapping camera, or in another camera within the topology's transit window.
///   A track is compared as the mean of all its embeddings, an identity as the mean of all embeddings of
///   its last `maxTracksPerIdentity` tracks (without the track's own). Embeddings of boxes at the frame's
///   edge are set aside (`setAsideEdgeEmbeddings`).
///   The best candidate by cosine similarity is joined when it reaches `matchThreshold` and leads the
///   runner-up by `margin`; otherwise a new identity is created.
/// - Tracks that started within `jointWindow` seconds of each other are associated jointly: when one
///   is ready (and at each re-check of one), it and the associated tracks that started with it are
///   assigned to identities at once, each identity at most once, for the largest total similarity,
///   with the group's own evidence left out of every identity; members whose identity changes get
///   `identity_corrected`. So the first of several people walking in together cannot keep an identity
///   that one arriving with it fits better.
/// - Every `recheckEvery` embeddings a joined track is compared again with the rest of its identity and
///   taken out below `correctionThreshold`; a track that created its identity joins an older one that
///   now passes the threshold and margin. Both emit `identity_corrected`.
/// - When one identity is visible at the same moment in two non-overlapping cameras (or twice in one),
///   the track that joined it last is taken out and re-associated (`identity_corrected`).
///
/// Memory is bounded: one vector per track, `maxTracksPerIdentity` per identity, ended
/// tracks are dropped, identities expire after `identityRetention` and are capped at `maxIdentities`.
/// - Note: A value type; deterministic because every choice that depends on order iterates sorted keys
///   or breaks ties explicitly (by identity id, then camera name).
public struct InMemoryIdentityRegistry: IdentityRegistry {
    /// The parameters.
    public let config: RegistryConfig
    private var tracks: [TrackKey: TrackInfo] = [:]
    private var identities: [Int: IdentityInfo] = [:]
    private var nextIdentity = 1
    private var lastTime = -Double.infinity
    private var nextExpiry = -Double.infinity
    /// The length of every embedding, fixed by the first one seen, and the camera that sent it.
    private var embeddingLength: (length: Int, camera: String)?

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
        tracks.values.reduce(0) { $0 + ($1.count > 0 ? 1 : 0) } + identities.values.reduce(0) { $0 + $1.contributions.count }
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
        // Checked before anything changes, so a refused step leaves the registry as it was.
        var length = embeddingLength
        for update in step.updates where !update.embedding.isEmpty {
            if let known = length, known.length != update.embedding.count {
                throw TrackingError.embeddingLengthMismatch(
                    camera: update.camera, frame: update.frame, length: update.embedding.count, expected: known.length,
                    firstCamera: known.camera)
            }
            length = length ?? (update.embedding.count, update.camera)
        }
        embeddingLength = length
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
                    let atEdge = config.setAsideEdgeEmbeddings && update.atFrameEdge
                    if !atEdge && info.edgeOnly {
                        // The first embedding from inside the view replaces the ones from the edge.
                        if info.count > 0 {
                            info.sum = []
                            info.count = 0
                            if let id = info.identity { identities[id]?.forget(key) }
                        }
                        info.edgeOnly = false
                    }
                    if !atEdge || info.edgeOnly {
                        info.remember(update.embedding)
                        info.sinceCheck += 1
                        if let id = info.identity {
                            identities[id]?.add(key, update.embedding, capacity: config.maxTracksPerIdentity)
                        }
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
                // A track with no embeddings at all (an appearance-free run) gets its own identity at once.
                let needed = info.edgeOnly && info.count > 0 ? 3 * config.minEmbeddings : config.minEmbeddings
                let enoughEvidence = info.count >= needed || (info.count == 0 && update.embedding.isEmpty)
                if info.identity == nil && enoughEvidence {
                    let cohort = cohort(of: key)
                    if cohort.isEmpty {
                        events.append(associate(key, now: update.time, frame: update.frame, excluding: []))
                    } else {
                        events += associateJointly(key, cohort: cohort, now: update.time, frame: update.frame)
                    }
                } else if info.identity != nil && info.sinceCheck >= config.recheckEvery {
                    let cohort = config.jointRecheck ? cohort(of: key) : []
                    if !cohort.isEmpty {
                        tracks[key]!.sinceCheck = 0
                        let corrections = associateJointly(key, cohort: cohort, now: update.time, frame: update.frame)
                        if !corrections.isEmpty {
                            events += corrections
                            continue
                        }
                    }
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
        if accepts(ranked), let best = ranked.first {
            tracks[key] = info
            join(key, best.identity, now: now)
            let margin = ranked.count > 1 ? best.similarity - ranked[1].similarity : nil
            return event(.identityMatched, key, tracks[key]!, now, frame, identity: best.identity, similarity: best.similarity,
                         margin: margin, fromCamera: best.fromCamera, gap: best.gap)
        }
        let id = nextIdentity
        nextIdentity += 1
        identities[id] = IdentityInfo(id: id, lastSeenTime: now)
        tracks[key] = info
        join(key, id, now: now)
        return event(.identityAssigned, key, tracks[key]!, now, frame, identity: id, similarity: ranked.first?.similarity,
                     margin: ranked.count > 1 ? ranked[0].similarity - ranked[1].similarity : nil)
    }

    /// Eligible identities for `key`, best first (ties: lower id). The tracks in `ignoring` (always
    /// `key` itself) count neither as sightings nor as appearance; with `includingOwn` the identity
    /// `key` holds is ranked too.
    private func candidates(for key: TrackKey, now: Double, excluding: Set<Int>, ignoring: Set<TrackKey> = [],
                            includingOwn: Bool = false) -> [Candidate] {
        guard let info = tracks[key], let mean = info.mean else { return [] }
        let ignoring = ignoring.union([key])
        var result: [Candidate] = []
        for id in identities.keys.sorted() where !excluding.contains(id) && (includingOwn || id != info.identity) {
            let identity = identities[id]!
            if identity.members.isEmpty && now - identity.lastSeenTime > config.identityRetention { continue }
            guard let (camera, gap) = eligibility(of: identity, for: key, info, now: now, ignoring: ignoring),
                  let other = identity.mean(excluding: ignoring) else { continue }
            let similarity = Double(CameraTracker.dot(mean, other))
            result.append(Candidate(identity: id, similarity: similarity, fromCamera: camera, gap: gap))
        }
        result.sort { $0.similarity > $1.similarity || ($0.similarity == $1.similarity && $0.identity < $1.identity) }
        return result
    }

    /// Where `identity` was last seen and how long before `key`'s track appeared, when the topology's time
    /// constraints let the track take it; nil when they rule it out.
    private func eligibility(of identity: IdentityInfo, for key: TrackKey, _ info: TrackInfo, now: Double,
                             ignoring: Set<TrackKey>) -> (camera: String, gap: Double)? {
        let topology = config.topology
        let tolerance = config.simultaneityTolerance
        var latest: (camera: String, time: Double)?
        func sighting(_ camera: String, _ time: Double) {
            if let l = latest, l.time > time || (l.time == time && l.camera <= camera) { return }
            latest = (camera, time)
        }
        // Order-free: `sighting` breaks ties by camera name, eligibility is a conjunction.
        for member in identity.members where !ignoring.contains(member) {
            guard let other = tracks[member] else { continue }
            sighting(member.camera, other.lastTime)
            if member.camera == key.camera {
                if other.visible { return nil }
            } else if !topology.overlap(member.camera, key.camera) && other.visible && now - other.lastTime <= tolerance {
                return nil
            }
        }
        for (camera, time) in identity.pastSightings { sighting(camera, time) }
        guard let last = latest else { return nil }
        // Seen by another track of this camera, or in a non-overlapping camera, after this track
        // appeared: the identity would have been in two places at once.
        for member in identity.members
        where !ignoring.contains(member) && (member.camera == key.camera || !topology.overlap(member.camera, key.camera)) {
            if let other = tracks[member], other.lastTime > info.firstTime + tolerance { return nil }
        }
        for (camera, time) in identity.pastSightings where camera == key.camera || !topology.overlap(camera, key.camera) {
            if time > info.firstTime + tolerance { return nil }
        }
        let gap = info.firstTime - last.time
        if last.camera == key.camera {
            // A window the topology gives for leaving and coming back to this camera rules; else
            // anything from at once up to the re-entry window.
            let window = topology.returnWindow(key.camera) ?? .init(min: 0, max: config.reentryWindow)
            guard gap >= window.min - tolerance && gap <= window.max else { return nil }
        } else if !topology.overlap(last.camera, key.camera) {
            guard let window = topology.window(from: last.camera, to: key.camera),
                  gap >= window.min - tolerance, gap <= window.max else { return nil }
        }
        return (last.camera, gap)
    }

    /// True when the best of `ranked` may be joined: it reaches the threshold and leads the runner-up by
    /// the margin.
    private func accepts(_ ranked: [Candidate]) -> Bool {
        guard let best = ranked.first, best.similarity >= config.matchThreshold else { return false }
        return ranked.count < 2 || best.similarity - ranked[1].similarity >= config.margin
    }

    /// The associated tracks that started within `jointWindow` seconds of `key`'s, by key: people who
    /// walked in at about the same moment, whose choices `key`'s may contradict.
    private func cohort(of key: TrackKey) -> [TrackKey] {
        guard config.jointWindow > 0, let info = tracks[key] else { return [] }
        return tracks.filter { other, o in
            other != key && o.identity != nil && o.count > 0 && abs(o.firstTime - info.firstTime) <= config.jointWindow
        }.keys.sorted()
    }

    /// Associates `key` together with `cohort`: one assignment of the group's tracks to identities
    /// (each at most once) with the largest total similarity, every track's evidence compared with
    /// identities that leave the whole group's out, so a track that joined first cannot hold an
    /// identity that a track arriving with it fits better. A pair below `matchThreshold` is never
    /// made, and a track whose assigned identity does not lead the best identity left free by the
    /// others by `margin` gets a new one. Cohort members whose identity changes are corrected.
    /// - Returns: `key`'s association (when it had none) and the cohort's corrections, in that order;
    ///   empty when an assigned `key` and its cohort keep what they hold.
    private mutating func associateJointly(_ key: TrackKey, cohort: [TrackKey], now: Double, frame: Int) -> [IdentityEvent] {
        let group = [key] + cohort
        let ignoring = Set(group)
        var ranked: [[Int: Candidate]] = []
        var columns = Set<Int>()
        for member in group {
            let list = candidates(for: member, now: now, excluding: [], ignoring: ignoring, includingOwn: true)
            ranked.append(Dictionary(uniqueKeysWithValues: list.map { ($0.identity, $0) }))
            columns.formUnion(list.map(\.identity))
        }
        let ids = columns.sorted()
        // Columns: the identities, then one "new identity" per track (only its own).
        let n = group.count, m = ids.count + n
        var costs = [Double](repeating: .infinity, count: n * m)
        for r in 0..<n {
            for (c, id) in ids.enumerated() {
                if let s = ranked[r][id]?.similarity, s >= config.matchThreshold { costs[r * m + c] = 1 - s }
            }
            costs[r * m + ids.count + r] = 1 - config.matchThreshold
        }
        var target = [Int?](repeating: nil, count: n)
        for pair in LinearAssignment.solve(costs: costs, rows: n, columns: m) where pair.column < ids.count {
            target[pair.row] = ids[pair.column]
        }
        let taken = Set(target.compactMap { $0 })
        for r in 0..<n {
            guard let id = target[r], let chosen = ranked[r][id]?.similarity else { continue }
            let rival = ranked[r].values.filter { $0.identity != id && !taken.contains($0.identity) }.map(\.similarity).max()
            if let rival, chosen - rival < config.margin { target[r] = nil }
        }
        let claimed = Set(target.compactMap { $0 })
        // Who moves: a track with no identity yet; a member sent to another identity; a member whose
        // identity another member takes. A member left without a pair keeps an identity no one claims.
        var moves: [(row: Int, previous: Int?)] = []
        for r in 0..<n {
            let current = tracks[group[r]]!.identity
            if current == nil || (target[r] != nil && target[r] != current) || (target[r] == nil && claimed.contains(current!)) {
                moves.append((r, current))
            }
        }
        guard !moves.isEmpty else { return [] }
        for move in moves { detach(group[move.row]) }
        var events: [IdentityEvent] = []
        for move in moves {
            let member = group[move.row]
            // A new track left without an external identity is associated as usual, after the cohort
            // has moved: it may still join an identity that a cohort member holds (seen at the same
            // moment in an overlapping camera, say), which the joint solve leaves out.
            if move.previous == nil && target[move.row] == nil { continue }
            tracks[member]!.sinceCheck = 0
            var result: IdentityEvent
            if let id = target[move.row], let best = ranked[move.row][id] {
                join(member, id, now: now)
                // The lead over the best identity the others left free (the one the margin was checked on).
                let rival = ranked[move.row].values.filter { $0.identity != id && !taken.contains($0.identity) }.map(\.similarity).max()
                result = event(.identityMatched, member, tracks[member]!, now, member == key ? frame : tracks[member]!.lastFrame,
                               identity: id, similarity: best.similarity, margin: rival.map { best.similarity - $0 },
                               fromCamera: best.fromCamera, gap: best.gap)
            } else {
                let id = nextIdentity
                nextIdentity += 1
                identities[id] = IdentityInfo(id: id, lastSeenTime: now)
                join(member, id, now: now)
                let best = ranked[move.row].values.map(\.similarity).max()
                result = event(.identityAssigned, member, tracks[member]!, now, member == key ? frame : tracks[member]!.lastFrame,
                               identity: id, similarity: best)
            }
            if let previous = move.previous {
                result.kind = .identityCorrected
                result.previousIdentity = previous
                result.reason = "identity \(previous) reassigned jointly with the tracks that started within \(config.jointWindow) s"
            }
            events.append(result)
        }
        if tracks[key]!.identity == nil { events.insert(associate(key, now: now, frame: frame, excluding: []), at: 0) }
        return events
    }

    /// Re-examines an assigned track; returns a correction event when the evidence now says otherwise.
    private mutating func recheck(_ key: TrackKey, now: Double, frame: Int) -> IdentityEvent? {
        tracks[key]!.sinceCheck = 0
        let info = tracks[key]!
        guard let id = info.identity, let identity = identities[id], let mean = info.mean else { return nil }
        if let others = identity.mean(excluding: [key]) {
            let similarity = Double(CameraTracker.dot(mean, others))
            guard similarity < config.correctionThreshold else { return nil }
            return correct(key, now: now, frame: frame, excluding: [id],
                           reason: "similarity to identity \(id) fell to \(Self.rounded(similarity)), below \(config.correctionThreshold)")
        }
        // The track created its identity alone: does an older identity now fit clearly? Asked on the
        // first `mergeChecks` re-checks only, while the track's evidence is still growing.
        guard tracks[key]!.mergeChecks < config.mergeChecks else { return nil }
        tracks[key]!.mergeChecks += 1
        let ranked = candidates(for: key, now: now, excluding: [id])
        guard accepts(ranked), let best = ranked.first else { return nil }
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
        tracks[key] = info
        var identity = identities[id]!
        identity.members.insert(key)
        identity.lastSeenTime = max(identity.lastSeenTime, now)
        if info.count > 0 { identity.add(key, info.sum, capacity: config.maxTracksPerIdentity) }
        identities[id] = identity
    }

    private mutating func detach(_ key: TrackKey) {
        guard let id = tracks[key]?.identity, var identity = identities[id] else { return }
        tracks[key]!.identity = nil
        identity.members.remove(key)
        identity.forget(key)
        if identity.members.isEmpty && identity.contributions.isEmpty && identity.pastSightings.isEmpty {
            identities[id] = nil
        } else {
            identities[id] = identity
        }
    }

    // MARK: - Memory bounds

    /// Forgets identities unseen for `identityRetention` with no live track. Runs at most once per
    /// second of media time (`candidates` skips the few that are due in between).
    private mutating func expire(now: Double) {
        guard now >= nextExpiry else { return }
        nextExpiry = now + 1
        identities = identities.filter { !$0.value.members.isEmpty || now - $0.value.lastSeenTime <= config.identityRetention }
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
        /// Sum of the track's embeddings (since its first from inside the view) and how many.
        var sum: [Float] = []
        var count = 0
        var identity: Int?
        var joinedAt = 0.0
        var visible = true
        var started = false
        var sinceCheck = 0
        var mergeChecks = 0
        /// True until the track's first embedding from inside the view (`features` then hold edge ones).
        var edgeOnly = true

        init(firstTime: Double) {
            self.firstTime = firstTime
            lastTime = firstTime
        }

        mutating func remember(_ feature: [Float]) {
            if sum.isEmpty { sum = [Float](repeating: 0, count: feature.count) }
            for i in sum.indices { sum[i] += feature[i] }
            count += 1
        }

        /// The normalised mean of every embedding remembered; nil before the first.
        var mean: [Float]? {
            guard count > 0 else { return nil }
            var result = sum
            CameraTracker.normalise(&result)
            return result
        }
    }

    struct IdentityInfo: Sendable {
        let id: Int
        /// Each contributing track's embedding sum, oldest contributor first; at most the registry's
        /// `maxTracksPerIdentity`.
        var contributions: Deque<(key: TrackKey, sum: [Float])> = []
        var members: Set<TrackKey> = []
        /// Last sighting time per camera of the identity's ended tracks.
        var pastSightings: [String: Double] = [:]
        var lastSeenTime: Double

        init(id: Int, lastSeenTime: Double) {
            self.id = id
            self.lastSeenTime = lastSeenTime
        }

        /// Sum of every contribution, so a mean costs one pass over one vector.
        var total: [Double] = []
        /// `total` normalised, refreshed whenever a contribution changes.
        var normalisedMean: [Float] = []

        private mutating func refreshMean() {
            if contributions.isEmpty {
                normalisedMean = []
                return
            }
            if normalisedMean.count != total.count { normalisedMean = [Float](repeating: 0, count: total.count) }
            for i in total.indices { normalisedMean[i] = Float(total[i]) }
            CameraTracker.normalise(&normalisedMean)
        }

        /// Adds `sum` (of one or more embeddings) to `key`'s contribution; a new contributor beyond
        /// `capacity` pushes the oldest out.
        mutating func add(_ key: TrackKey, _ sum: [Float], capacity: Int) {
            guard capacity > 0, !sum.isEmpty else { return }
            if total.isEmpty { total = [Double](repeating: 0, count: sum.count) }
            if let index = contributions.lastIndex(where: { $0.key == key }) {
                for i in sum.indices { contributions[index].sum[i] += sum[i] }
            } else {
                contributions.append((key, sum))
                if contributions.count > capacity {
                    contributions.removeFirst(contributions.count - capacity)
                    rebuild()
                    return
                }
            }
            for i in total.indices { total[i] += Double(sum[i]) }
            refreshMean()
        }

        mutating func forget(_ key: TrackKey) {
            contributions.removeAll { $0.key == key }
            rebuild()
        }

        /// Recomputes `total` from the contributions, so rounding never accumulates.
        private mutating func rebuild() {
            total = [Double](repeating: 0, count: total.count)
            for c in contributions { for i in total.indices { total[i] += Double(c.sum[i]) } }
            refreshMean()
        }

        /// The normalised mean of the embeddings not contributed by the tracks in `keys`; nil when there
        /// are none.
        func mean(excluding keys: Set<TrackKey>) -> [Float]? {
            let own = contributions.filter { keys.contains($0.key) }
            if own.isEmpty { return contributions.isEmpty ? nil : normalisedMean }
            if own.count == contributions.count { return nil }
            var sum = total
            for c in own { for i in sum.indices { sum[i] -= Double(c.sum[i]) } }
            var result = sum.map { Float($0) }
            CameraTracker.normalise(&result)
            return result
        }
    }
}

extension InMemoryIdentityRegistry {
    /// Everything the registry remembers — its tracks, its identities with their embedding sums, the
    /// next identity id and the clock — for a run's checkpoint. The parameters are not in it: a resumed
    /// run brings its own (the checkpoint is refused when the pipeline changed).
    public struct Memory: Codable, Sendable {
        fileprivate struct Track: Codable, Sendable {
            var key: TrackKey
            var info: TrackInfo
        }

        fileprivate var tracks: [Track]
        fileprivate var identities: [IdentityInfo]
        fileprivate var nextIdentity: Int
        /// Nil for minus infinity (nothing ingested yet), which JSON cannot carry.
        fileprivate var lastTime: Double?
        fileprivate var nextExpiry: Double?
        fileprivate var embeddingLength: Int?
        fileprivate var embeddingCamera: String?
    }

    /// What the registry remembers now (in a fixed order, so equal registries give equal files).
    public var memory: Memory {
        Memory(tracks: tracks.keys.sorted().map { Memory.Track(key: $0, info: tracks[$0]!) },
               identities: identities.keys.sorted().map { identities[$0]! }, nextIdentity: nextIdentity,
               lastTime: lastTime.isFinite ? lastTime : nil, nextExpiry: nextExpiry.isFinite ? nextExpiry : nil,
               embeddingLength: embeddingLength?.length, embeddingCamera: embeddingLength?.camera)
    }

    /// A registry with `config` that goes on from `memory`, exactly as the registry it was taken from would.
    public init(config: RegistryConfig, memory: Memory) {
        self.init(config: config)
        tracks = Dictionary(memory.tracks.map { ($0.key, $0.info) }, uniquingKeysWith: { _, last in last })
        identities = Dictionary(memory.identities.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        nextIdentity = memory.nextIdentity
        lastTime = memory.lastTime ?? -.infinity
        nextExpiry = memory.nextExpiry ?? -.infinity
        if let length = memory.embeddingLength, let camera = memory.embeddingCamera { embeddingLength = (length, camera) }
    }
}

extension InMemoryIdentityRegistry.TrackKey: Codable {}

extension InMemoryIdentityRegistry.TrackInfo: Codable {
    private enum CodingKeys: String, CodingKey {
        case firstTime, lastTime, lastFrame, lastBox, lastScore, sum, count, identity, joinedAt, visible, started, sinceCheck
        case mergeChecks, edgeOnly
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(firstTime: try c.decode(Double.self, forKey: .firstTime))
        lastTime = try c.decode(Double.self, forKey: .lastTime)
        lastFrame = try c.decode(Int.self, forKey: .lastFrame)
        lastBox = try c.decode(BoundingBox.self, forKey: .lastBox)
        lastScore = try c.decode(Double.self, forKey: .lastScore)
        sum = try c.decode(PackedVector<Float>.self, forKey: .sum).values
        count = try c.decode(Int.self, forKey: .count)
        identity = try c.decodeIfPresent(Int.self, forKey: .identity)
        joinedAt = try c.decode(Double.self, forKey: .joinedAt)
        visible = try c.decode(Bool.self, forKey: .visible)
        started = try c.decode(Bool.self, forKey: .started)
        sinceCheck = try c.decode(Int.self, forKey: .sinceCheck)
        mergeChecks = try c.decode(Int.self, forKey: .mergeChecks)
        edgeOnly = try c.decode(Bool.self, forKey: .edgeOnly)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(firstTime, forKey: .firstTime)
        try c.encode(lastTime, forKey: .lastTime)
        try c.encode(lastFrame, forKey: .lastFrame)
        try c.encode(lastBox, forKey: .lastBox)
        try c.encode(lastScore, forKey: .lastScore)
        try c.encode(PackedVector(sum), forKey: .sum)
        try c.encode(count, forKey: .count)
        try c.encodeIfPresent(identity, forKey: .identity)
        try c.encode(joinedAt, forKey: .joinedAt)
        try c.encode(visible, forKey: .visible)
        try c.encode(started, forKey: .started)
        try c.encode(sinceCheck, forKey: .sinceCheck)
        try c.encode(mergeChecks, forKey: .mergeChecks)
        try c.encode(edgeOnly, forKey: .edgeOnly)
    }
}

extension InMemoryIdentityRegistry.IdentityInfo: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, contributions, members, pastSightings, lastSeenTime, total, normalisedMean
    }

    private struct Contribution: Codable {
        var key: InMemoryIdentityRegistry.TrackKey
        var sum: PackedVector<Float>
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try c.decode(Int.self, forKey: .id), lastSeenTime: try c.decode(Double.self, forKey: .lastSeenTime))
        contributions = Deque(try c.decode([Contribution].self, forKey: .contributions).map { ($0.key, $0.sum.values) })
        members = Set(try c.decode([InMemoryIdentityRegistry.TrackKey].self, forKey: .members))
        pastSightings = try c.decode([String: Double].self, forKey: .pastSightings)
        total = try c.decode(PackedVector<Double>.self, forKey: .total).values
        normalisedMean = try c.decode(PackedVector<Float>.self, forKey: .normalisedMean).values
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(contributions.map { Contribution(key: $0.key, sum: PackedVector($0.sum)) }, forKey: .contributions)
        try c.encode(members.sorted(), forKey: .members)
        try c.encode(pastSightings, forKey: .pastSightings)
        try c.encode(lastSeenTime, forKey: .lastSeenTime)
        try c.encode(PackedVector(total), forKey: .total)
        try c.encode(PackedVector(normalisedMean), forKey: .normalisedMean)
    }
}
