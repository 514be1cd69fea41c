/// DeepSORT-style multi-person tracker for one camera: Kalman prediction, appearance matching gated by
/// motion, then IoU matching for what appearance left, each solved by exact linear assignment.
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

        // 1. Appearance, gated by motion, for confirmed and lost tracks.
        let appearanceTracks = tracks.indices.filter { tracks[$0].state != .tentative }
        let appearanceDetections = accepted.indices.filter { !accepted[$0].embedding.isEmpty }
        if !appearanceTracks.isEmpty && !appearanceDetections.isEmpty {
            let gated = config.maxCosineDistance + 1e-5
            var costs = [Double](repeating: gated, count: appearanceTracks.count * appearanceDetections.count)
            for (r, t) in appearanceTracks.enumerated() {
                for (c, d) in appearanceDetections.enumerated() {
                    let distance = tracks[t].appearanceDistance(to: accepted[d].embedding)
                    guard distance <= config.maxCosineDistance else { continue }
                    guard tracks[t].filter.gatingDistance(to: accepted[d].box) <= config.gatingThreshold else { continue }
                    costs[r * appearanceDetections.count + c] = distance
                }
            }
            for pair in LinearAssignment.solve(costs: costs, rows: appearanceTracks.count, columns: appearanceDetections.count)
            where costs[pair.row * appearanceDetections.count + pair.column] <= config.maxCosineDistance {
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
                    if distance <= config.maxIoUDistance { costs[r * iouDetections.count + c] = distance }
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
            if previous == .tentative || tracks[t].timeSinceUpdate > config.maxAge {
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

    private func report(
        _ track: TrackRecord, frame: Int, time: Double, box: BoundingBox, score: Double, detection: Int?,
        embedding: [Float], isNew: Bool, becameConfirmed: Bool
    ) -> TrackUpdate {
        TrackUpdate(camera: camera, track: track.id, frame: frame, time: time, state: track.state, box: box,
                    estimate: track.filter.box, score: score, detectionIndex: detection, embedding: embedding,
                    isNew: isNew, becameConfirmed: becameConfirmed, hits: track.hits)
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
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                var sum: Float = 0
                for i in 0..<pa.count { sum += pa[i] * pb[i] }
                return sum
            }
        }
    }
}
