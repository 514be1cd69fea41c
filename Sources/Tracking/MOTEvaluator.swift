/// Scores tracker output against ground truth exactly as py-motmetrics 1.4 does with
/// `loadtxt(gt, fmt="mot15-2D", min_confidence=1)`, `loadtxt(tracks, fmt="mot15-2D")`,
/// `compare_to_groundtruth(gt, tracks, "iou", distth=0.5)`.
///
/// Per frame: ground-truth rows with confidence < 1 and track rows with confidence < −1 are dropped;
/// pairs with 1 − IoU > 0.5 cannot match; an object keeps last frame's hypothesis when they still
/// overlap; the rest are matched by a minimum-cost assignment that pairs as many as possible; a match
/// whose hypothesis differs from the object's previous one is an ID switch. IDF1 comes from one global
/// assignment of object ids to hypothesis ids maximising the frames in which they overlap (IoU ≥ 0.5).
public enum MOTEvaluator {
    /// The largest distance 1 − IoU that may match (motmetrics' `distth`). 0.5, i.e. IoU ≥ 0.5.
    public static let defaultMaxDistance = 0.5

    /// Metrics of `tracks` against `groundTruth` (records as read from MOTChallenge files).
    public static func evaluate(groundTruth: [MOTRecord], tracks: [MOTRecord], maxDistance: Double = defaultMaxDistance) -> MOTMetrics {
        let objects = groundTruth.filter { $0.confidence >= 1 }
        let hypotheses = tracks.filter { $0.confidence >= -1 }
        var objectsByFrame: [Int: [Int]] = [:]
        var hypothesesByFrame: [Int: [Int]] = [:]
        for (i, r) in objects.enumerated() { objectsByFrame[r.frame, default: []].append(i) }
        for (i, r) in hypotheses.enumerated() { hypothesesByFrame[r.frame, default: []].append(i) }
        let frames = Set(objectsByFrame.keys).union(hypothesesByFrame.keys).sorted()

        // motmetrics shifts x and y by −1 (Matlab convention); done here too so IoU agrees bit for bit.
        func shifted(_ b: BoundingBox) -> BoundingBox { BoundingBox(x: b.x - 1, y: b.y - 1, w: b.w, h: b.h) }

        var previous: [Int: Int] = [:]  // object id → hypothesis id of its last match
        var matches = 0, switches = 0, falsePositives = 0, misses = 0
        var distanceSum = 0.0
        var missHistory: [Int: [Bool]] = [:]  // object id → per appearance, true when missed
        var objectFrames: [Int: Int] = [:]
        var hypothesisFrames: [Int: Int] = [:]
        var overlaps: [Pair: Int] = [:]

        for frame in frames {
            let o = (objectsByFrame[frame] ?? []).map { objects[$0] }
            let h = (hypothesesByFrame[frame] ?? []).map { hypotheses[$0] }
            for r in o { objectFrames[r.id, default: 0] += 1 }
            for r in h { hypothesisFrames[r.id, default: 0] += 1 }
            var distances = [Double](repeating: .nan, count: o.count * h.count)
            for i in o.indices {
                let a = shifted(o[i].box)
                for j in h.indices {
                    let d = 1 - a.iou(shifted(h[j].box))
                    if d <= maxDistance {
                        distances[i * h.count + j] = d
                        overlaps[Pair(object: o[i].id, hypothesis: h[j].id), default: 0] += 1
                    }
                }
            }
            var objectDone = [Bool](repeating: false, count: o.count)
            var hypothesisDone = [Bool](repeating: false, count: h.count)
            if !o.isEmpty && !h.isEmpty {
                // 1. Keep last frame's correspondences that still overlap.
                for i in o.indices {
                    guard let last = previous[o[i].id],
                          let j = h.indices.first(where: { !hypothesisDone[$0] && h[$0].id == last }) else { continue }
                    let d = distances[i * h.count + j]
                    guard d.isFinite else { continue }
                    objectDone[i] = true
                    hypothesisDone[j] = true
                    matches += 1
                    distanceSum += d
                }
                // 2. Assign the rest.
                var rest = distances
                for i in o.indices where objectDone[i] {
                    for j in h.indices { rest[i * h.count + j] = .nan }
                }
                for j in h.indices where hypothesisDone[j] {
                    for i in o.indices { rest[i * h.count + j] = .nan }
                }
                for pair in LinearAssignment.solve(costs: rest, rows: o.count, columns: h.count) {
                    let object = o[pair.row].id, hypothesis = h[pair.column].id
                    if let last = previous[object], last != hypothesis { switches += 1 } else { matches += 1 }
                    distanceSum += rest[pair.row * h.count + pair.column]
                    previous[object] = hypothesis
                    objectDone[pair.row] = true
                    hypothesisDone[pair.column] = true
                }
            }
            for i in o.indices {
                if !objectDone[i] { misses += 1 }
                missHistory[o[i].id, default: []].append(!objectDone[i])
            }
            falsePositives += hypothesisDone.lazy.filter { !$0 }.count
        }

        var fragmentations = 0
        for history in missHistory.values {
            guard let first = history.firstIndex(of: false), let last = history.lastIndex(of: false) else { continue }
            if first < last {
                for k in (first + 1)...last where history[k] && !history[k - 1] { fragmentations += 1 }
            }
        }

        let objectIDs = objectFrames.keys.sorted(), hypothesisIDs = hypothesisFrames.keys.sorted()
        var idtp = 0
        if !objectIDs.isEmpty && !hypothesisIDs.isEmpty {
            var costs = [Double](repeating: 0, count: objectIDs.count * hypothesisIDs.count)
            let column = Dictionary(uniqueKeysWithValues: hypothesisIDs.enumerated().map { ($0.element, $0.offset) })
            let row = Dictionary(uniqueKeysWithValues: objectIDs.enumerated().map { ($0.element, $0.offset) })
            for (pair, count) in overlaps {
                costs[row[pair.object]! * hypothesisIDs.count + column[pair.hypothesis]!] = -Double(count)
            }
            let assignment = LinearAssignment.solve(costs: costs, rows: objectIDs.count, columns: hypothesisIDs.count)
            idtp = Int(-LinearAssignment.cost(of: assignment, in: costs, columns: hypothesisIDs.count))
        }
        let objectCount = objects.count, predictionCount = hypotheses.count
        let idfn = objectCount - idtp, idfp = predictionCount - idtp
        let detections = matches + switches
        return MOTMetrics(
            mota: 1 - Double(misses + switches + falsePositives) / Double(objectCount),
            motp: distanceSum / Double(detections),
            idf1: 2 * Double(idtp) / Double(objectCount + predictionCount),
            idp: Double(idtp) / Double(idtp + idfp),
            idr: Double(idtp) / Double(idtp + idfn),
            idSwitches: switches, fragmentations: fragmentations, falsePositives: falsePositives, misses: misses,
            matches: matches, objects: objectCount, predictions: predictionCount, idtp: idtp, idfp: idfp, idfn: idfn,
            frames: frames.count, uniqueObjects: objectIDs.count)
    }

    /// Multi-camera metrics (DukeMTMC / MTMC style): every camera's frames are offset into one sequence
    /// (camera k starts after the last frame of cameras 0..<k), ids are global, and the same rules as
    /// `evaluate` apply, so IDF1 comes from one identity assignment over all cameras.
    public static func evaluateMultiCamera(
        _ cameras: [(groundTruth: [MOTRecord], tracks: [MOTRecord])], maxDistance: Double = defaultMaxDistance
    ) -> MOTMetrics {
        let joined = concatenate(cameras)
        return evaluate(groundTruth: joined.groundTruth, tracks: joined.tracks, maxDistance: maxDistance)
    }

    /// The cameras' records joined into one sequence: camera k's frames shifted by the largest frame
    /// number (ground truth or tracks) of the cameras before it.
    public static func concatenate(
        _ cameras: [(groundTruth: [MOTRecord], tracks: [MOTRecord])]
    ) -> (groundTruth: [MOTRecord], tracks: [MOTRecord]) {
        var groundTruth: [MOTRecord] = [], tracks: [MOTRecord] = []
        var offset = 0
        for camera in cameras {
            var last = 0
            for var r in camera.groundTruth {
                last = max(last, r.frame)
                r.frame += offset
                groundTruth.append(r)
            }
            for var r in camera.tracks {
                last = max(last, r.frame)
                r.frame += offset
                tracks.append(r)
            }
            offset += last
        }
        return (groundTruth, tracks)
    }

    private struct Pair: Hashable {
        var object: Int
        var hypothesis: Int
    }
}
