/// DeepSORT-style multi-person tracker for one camera: Kalman prediction, appearance matching gated by
/// motion, then IoU matching for what appearance left, each solved by exact linear assignment.
///
/// Beyond DeepSORT, each documented in `TrackerConfig`: the appearance cost carries a little of the
/// motion distance (`motionWeight`, StrongSORT's), the IoU stage does not hand a confirmed track to a
/// detection that looks unlike it (`appearanceVetoesOverlap`), a track moving sideways does not take a
/// detection that would have it turn round at once (`reversalSpeed`), and, with a frame size, a track last seen
/// at the frame's edge ends soon after (`exitAge`), so a track left open where one person walked out
/// does not take the next who walks in.
///
/// - Note: A value type with no shared state: one tracker per camera, owned by one task. Memory is
///   bounded: ended tracks are dropped and each track keeps at most `maxFeaturesPerTrack` embeddings.
public struct CameraTracker: Sendable {
    /// The camera this tracker follows; detections of other cameras are rejected.
    public let camera: String
    /// The parameters.
    public let config: TrackerConfig
    private var tracks: [TrackRecord] = []
    private var nextTrackID = 1
    private var lastFrame: Int?
    private var embeddingLength: Int?
    /// Detections set aside since the start, by reason.
    public private(set) var skippedTotals: [SkipReason: Int] = [:]

    /// A tracker for `camera` with `config`.
    public init(camera: String, config: TrackerConfig = TrackerConfig()) {
        self.camera = camera
        self.config = config
    }

    /// Number of tracks alive (tentative, confirmed or lost).
    public var liveTrackCount: Int { tracks.count }

    /// Number of embeddings held over all live tracks (a memory measure).
    public var storedFeatureCount: Int {
        tracks.reduce(0) { $0 + $1.features.count + ($1.average.isEmpty ? 0 : 1) }
    }

    /// Advances to `frame` and associates its detections.
    ///
    /// Frames may skip (the filter predicts once per skipped frame) but never go back.
    /// Invalid detections are skipped and counted in the step (`skipped`) and in `skippedTotals`;
    /// boxes partly outside a configured frame are clipped.
    /// - Throws: `TrackingError` when the frame goes back, or a detection names another camera or frame.
    public mutating func update(frame: Int, time: Double, detections: [Detection]) throws -> TrackerStep {
        if let lastFrame, frame <= lastFrame {
            throw TrackingError.frameOutOfOrder(camera: camera, frame: frame, previous: lastFrame)
        }
        let steps = lastFrame.map { frame - $0 } ?? 1
        lastFrame = frame

        var skipped: [SkipReason: Int] = [:]
        var accepted: [(index: Int, box: BoundingBox, score: Double, embedding: [Float])] = []
        for (index, detection) in detections.enumerated() {
            guard detection.camera == camera else {
                throw TrackingError.unknownCamera(detection.camera, expected: camera)
            }
            guard detection.frame == frame else {
                throw TrackingError.detectionFrameMismatch(camera: camera, frame: frame, detectionFrame: detection.frame)
            }
            switch validated(detection) {
            case .failure(let error):
                skipped[error.reason, default: 0] += 1
            case .success(let value):
                accepted.append((index, value.box, detection.score, value.embedding))
            }
        }
        for (reason, count) in skipped { skippedTotals[reason, default: 0] += count }

        for t in tracks.indices {
            for _ in 0..<min(steps, config.maxAge + 1) { tracks[t].filter.predict() }
            tracks[t].timeSinceUpdate += steps
        }

        var matches: [(track: Int, detection: Int)] = []
        var freeTracks = Set(tracks.indices)
        var freeDetections = Set(accepted.indices)

        // 1. Appearance, gated by motion, for confirmed and lost tracks. Pairs that fail the appearance
        // gate are remembered (`track * accepted.count + detection`) for the IoU stage's veto.
        var lookUnlike = Set<Int>()
        let appearanceTracks = tracks.indices.filter { tracks[$0].state != .tentative }
        let appearanceDetections = accepted.indices.filter { !accepted[$0].embedding.isEmpty }
        if !appearanceTracks.isEmpty && !appearanceDetections.isEmpty {
            // Pairs outside either gate cost more than any pair inside both can.
            let w = config.motionWeight
            let gated = (1 - w) * config.maxCosineDistance + w * config.gatingThreshold + 1
            var costs = [Double](repeating: gated, count: appearanceTracks.count * appearanceDetections.count)
            for (r, t) in appearanceTracks.enumerated() {
                let gate = tracks[t].filter.gate()
                for (c, d) in appearanceDetections.enumerated() {
                    if reverses(tracks[t], to: accepted[d].box) { continue }
                    let distance = tracks[t].appearanceDistance(to: accepted[d].embedding)
                    guard distance <= config.maxCosineDistance else {
                        lookUnlike.insert(t * accepted.count + d)
                        continue
                    }
                    let motion = gate.distance(to: accepted[d].box)
                    guard motion <= config.gatingThreshold else { continue }
                    costs[r * appearanceDetections.count + c] = (1 - w) * distance + w * motion
                }
            }
            for pair in LinearAssignment.solve(costs: costs, rows: appearanceTracks.count, columns: appearanceDetections.count)
            where costs[pair.row * appearanceDetections.count + pair.column] < gated {
                let t = appearanceTracks[pair.row], d = appearanceDetections[pair.column]
                matches.append((t, d))
                freeTracks.remove(t)
                freeDetections.remove(d)
            }
        }

        // 2. IoU for tentative tracks and tracks matched in the previous frame that appearance left.
        let iouTracks = freeTracks.sorted().filter {
            tracks[$0].state == .tentative || tracks[$0].timeSinceUpdate <= steps
        }
        let iouDetections = freeDetections.sorted()
        if !iouTracks.isEmpty && !iouDetections.isEmpty {
            let gated = config.maxIoUDistance + 1e-5
            var costs = [Double](repeating: gated, count: iouTracks.count * iouDetections.count)
            for (r, t) in iouTracks.enumerated() {
                let predicted = tracks[t].filter.box
                for (c, d) in iouDetections.enumerated() {
                    let distance = 1 - predicted.iou(accepted[d].box)
                    guard distance <= config.maxIoUDistance else { continue }
                    // A confirmed track does not take by overlap a detection that looks unlike it.
                    if config.appearanceVetoesOverlap && lookUnlike.contains(t * accepted.count + d) { continue }
                    if reverses(tracks[t], to: accepted[d].box) { continue }
                    costs[r * iouDetections.count + c] = distance
                }
            }
            for pair in LinearAssignment.solve(costs: costs, rows: iouTracks.count, columns: iouDetections.count)
            where costs[pair.row * iouDetections.count + pair.column] <= config.maxIoUDistance {
                let t = iouTracks[pair.row], d = iouDetections[pair.column]
                matches.append((t, d))
                freeTracks.remove(t)
                freeDetections.remove(d)
            }
        }

        var updates: [TrackUpdate] = []
        let momentum: Double? = {
            if case .movingAverage(let m) = config.appearance { return m }
            return nil
        }()
        for (t, d) in matches {
            let detection = accepted[d]
            tracks[t].filter.update(with: detection.box)
            tracks[t].hits += 1
            tracks[t].timeSinceUpdate = 0
            tracks[t].lastScore = detection.score
            tracks[t].lastBox = detection.box
            tracks[t].remember(detection.embedding, capacity: config.maxFeaturesPerTrack, momentum: momentum)
            var becameConfirmed = false
            if tracks[t].state == .tentative && tracks[t].hits >= config.confirmationHits {
                tracks[t].state = .confirmed
                becameConfirmed = true
            } else if tracks[t].state == .lost {
                tracks[t].state = .confirmed
            }
            updates.append(report(tracks[t], frame: frame, time: time, box: detection.box, score: detection.score,
                                  detection: detection.index, embedding: detection.embedding,
                                  isNew: false, becameConfirmed: becameConfirmed))
        }
        for t in freeTracks.sorted() {
            let previous = tracks[t].state
            let atEdge = touchesEdge(tracks[t].lastBox)
            let age = atEdge ? min(config.exitAge, config.maxAge) : config.maxAge
            if previous == .tentative || tracks[t].timeSinceUpdate > age || (atEdge && centreOutside(tracks[t].filter.box)) {
                tracks[t].state = .ended
            } else {
                tracks[t].state = .lost
            }
            if tracks[t].state != previous {
                updates.append(report(tracks[t], frame: frame, time: time, box: tracks[t].filter.box, score: 0,
                                      detection: nil, embedding: [], isNew: false, becameConfirmed: false))
            }
        }
        tracks.removeAll { $0.state == .ended }
        for d in freeDetections.sorted() {
            let detection = accepted[d]
            var record = TrackRecord(id: nextTrackID, box: detection.box, score: detection.score,
                                     state: config.confirmationHits <= 1 ? .confirmed : .tentative)
            nextTrackID += 1
            record.remember(detection.embedding, capacity: config.maxFeaturesPerTrack, momentum: momentum)
            tracks.append(record)
            updates.append(report(record, frame: frame, time: time, box: detection.box, score: detection.score,
                                  detection: detection.index, embedding: detection.embedding,
                                  isNew: true, becameConfirmed: record.state == .confirmed))
        }
        updates.sort { $0.track < $1.track }
        return TrackerStep(camera: camera, frame: frame, time: time, updates: updates, skipped: skipped)
    }

    /// Ends every live track because the camera's footage ended (or the camera went down or the run
    /// stopped): one step at `frame`/`time` (the last frame seen) whose updates are the live tracks, each
    /// `.ended` with its last box, ordered by track id. The registry turns the confirmed ones into
    /// `track_ended` events, so every confirmed track gets one also when the footage ends.
    ///
    /// Later frames may still follow (a camera that comes back): they start new tracks.
    public mutating func finish(frame: Int, time: Double) -> TrackerStep {
        var updates: [TrackUpdate] = []
        for t in tracks.indices.sorted(by: { tracks[$0].id < tracks[$1].id }) {
            tracks[t].state = .ended
            updates.append(report(tracks[t], frame: frame, time: time, box: tracks[t].lastBox, score: 0,
                                  detection: nil, embedding: [], isNew: false, becameConfirmed: false))
        }
        tracks.removeAll()
        if let lastFrame { self.lastFrame = max(lastFrame, frame) } else { lastFrame = frame }
        return TrackerStep(camera: camera, frame: frame, time: time, updates: updates)
    }

    /// True when taking `box` would have `track` turn round at once (see `TrackerConfig.reversalSpeed`).
    private func reverses(_ track: TrackRecord, to box: BoundingBox) -> Bool {
        guard config.reversalSpeed > 0, track.state != .tentative else { return false }
        let speed = track.filter.mean[4], height = track.lastBox.h
        let limit = config.reversalSpeed * height
        guard abs(speed) >= limit else { return false }
        let frames = Double(max(1, track.timeSinceUpdate))
        let moved = ((box.x + box.w / 2) - (track.lastBox.x + track.lastBox.w / 2)) / frames
        return moved * (speed > 0 ? 1 : -1) <= -limit
    }

    /// True when `box` comes within `edgeMargin` of the configured frame's edge (false without a frame size).
    private func touchesEdge(_ box: BoundingBox) -> Bool {
        guard let size = config.frameSize else { return false }
        let mx = config.edgeMargin * size.width, my = config.edgeMargin * size.height
        return box.x <= mx || box.y <= my || box.x + box.w >= size.width - mx || box.y + box.h >= size.height - my
    }

    /// True when `box`'s centre lies outside the configured frame (false without a frame size).
    private func centreOutside(_ box: BoundingBox) -> Bool {
        guard let size = config.frameSize else { return false }
        let (cx, cy, _, _) = box.xyah
        return cx < 0 || cy < 0 || cx > size.width || cy > size.height
    }

    private func report(
        _ track: TrackRecord, frame: Int, time: Double, box: BoundingBox, score: Double, detection: Int?,
        embedding: [Float], isNew: Bool, becameConfirmed: Bool
    ) -> TrackUpdate {
        TrackUpdate(camera: camera, track: track.id, frame: frame, time: time, state: track.state, box: box,
                    estimate: track.filter.box, score: score, detectionIndex: detection, embedding: embedding,
                    isNew: isNew, becameConfirmed: becameConfirmed, hits: track.hits,
                    atFrameEdge: detection != nil && touchesEdge(box))
    }

    private struct Accepted {
        var box: BoundingBox
        var embedding: [Float]
    }

    /// The detection's usable box and normalised embedding, or why it is skipped.
    private mutating func validated(_ detection: Detection) -> Result<Accepted, SkipError> {
        let box = detection.box
        guard box.x.isFinite, box.y.isFinite, box.w.isFinite, box.h.isFinite, detection.score.isFinite else {
            return .failure(SkipError(reason: .notFinite))
        }
        guard box.w > 0, box.h > 0 else { return .failure(SkipError(reason: .emptyBox)) }
        var usable = box
        if let size = config.frameSize {
            guard let clipped = box.clipped(width: size.width, height: size.height) else {
                return .failure(SkipError(reason: .outsideFrame))
            }
            usable = clipped
        }
        guard detection.score >= config.minDetectionScore else { return .failure(SkipError(reason: .lowScore)) }
        var embedding = detection.embedding
        if !embedding.isEmpty {
            if let embeddingLength, embeddingLength != embedding.count {
                return .failure(SkipError(reason: .badEmbedding))
            }
            guard embedding.allSatisfy(\.isFinite) else { return .failure(SkipError(reason: .badEmbedding)) }
            embeddingLength = embedding.count
            Self.normalise(&embedding)
        }
        return .success(Accepted(box: usable, embedding: embedding))
    }

    private struct SkipError: Error {
        var reason: SkipReason
    }

    /// Scales `vector` to unit length (left as is when it is all zeros).
    static func normalise(_ vector: inout [Float]) {
        let norm = dot(vector, vector).squareRoot()
        guard norm > 0 else { return }
        for i in vector.indices { vector[i] /= norm }
    }

    /// Dot product of two equally long vectors.
    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "embedding lengths differ")
        // Four independent SIMD8 partial sums (so the adds do not wait on each other), then one; pointers
        // stay inside both buffers: i + 32 <= count, then i + 8 <= count.
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var p0 = SIMD8<Float>(), p1 = SIMD8<Float>(), p2 = SIMD8<Float>(), p3 = SIMD8<Float>()
                var i = 0
                while i + 32 <= pa.count {
                    let x = UnsafeRawPointer(pa.baseAddress! + i), y = UnsafeRawPointer(pb.baseAddress! + i)
                    p0 += x.loadUnaligned(as: SIMD8<Float>.self) * y.loadUnaligned(as: SIMD8<Float>.self)
                    p1 += x.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) * y.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                    p2 += x.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self) * y.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                    p3 += x.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self) * y.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
                    i += 32
                }
                var partial = (p0 + p1) + (p2 + p3)
                while i + 8 <= pa.count {
                    let x = UnsafeRawPointer(pa.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                    let y = UnsafeRawPointer(pb.baseAddress! + i).loadUnaligned(as: SIMD8<Float>.self)
                    partial += x * y
                    i += 8
                }
                var sum = partial.sum()
                while i < pa.count {
                    sum += pa[i] * pb[i]
                    i += 1
                }
                return sum
            }
        }
    }
}

extension CameraTracker {
    /// Everything a tracker remembers between frames — its tracks with their filters and embeddings, the
    /// next track id, the last frame — for a run's checkpoint. The parameters are not in it: a resumed
    /// run brings its own (the checkpoint is refused when the pipeline changed).
    public struct Memory: Codable, Sendable {
        fileprivate var tracks: [TrackRecord]
        fileprivate var nextTrackID: Int
        fileprivate var lastFrame: Int?
        fileprivate var embeddingLength: Int?
        fileprivate var skippedTotals: [String: Int]
    }

    /// What this tracker remembers now.
    public var memory: Memory {
        Memory(tracks: tracks, nextTrackID: nextTrackID, lastFrame: lastFrame, embeddingLength: embeddingLength,
               skippedTotals: Dictionary(uniqueKeysWithValues: skippedTotals.map { ($0.key.rawValue, $0.value) }))
    }

    /// A tracker for `camera` with `config` that goes on from `memory`, exactly as the tracker it was
    /// taken from would.
    ///
    /// - Throws: `DecodingError` when `memory` names a skip reason this build does not know.
    public init(camera: String, config: TrackerConfig, memory: Memory) throws {
        self.init(camera: camera, config: config)
        tracks = memory.tracks
        nextTrackID = memory.nextTrackID
        lastFrame = memory.lastFrame
        embeddingLength = memory.embeddingLength
        for (name, count) in memory.skippedTotals {
            guard let reason = SkipReason(rawValue: name) else {
                throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown skip reason `\(name)`"))
            }
            skippedTotals[reason] = count
        }
    }
}
