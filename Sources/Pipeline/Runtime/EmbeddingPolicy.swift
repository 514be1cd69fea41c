import Tracking
import VideoIO

/// Which boxes of which frames are embedded (the `model.embed` section): the one place that decides,
/// for the run and for the benchmark that times the embedder alone on the same crops. Each camera
/// applies it through an ``EmbeddingSchedule`` of its own.
public struct EmbeddingPolicy: Sendable {
    /// Which frames, or which of a track's frames.
    public var policy: EmbedPolicyConfig.Policy
    /// N of `every_nth_frame` and `each_track` (1: every frame).
    public var every: Int
    /// Boxes shorter than this are not embedded.
    public var minHeight: Double

    /// A policy (`every` is 1 for `every_detection`).
    public init(policy: EmbedPolicyConfig.Policy, every: Int = 1, minHeight: Double = 0) {
        precondition(every >= 1, "every is at least 1")
        self.policy = policy
        self.every = policy == .everyDetection ? 1 : every
        self.minHeight = minHeight
    }

    /// The policy of `pipeline`.
    public init(_ pipeline: ResolvedPipeline) {
        self.init(policy: pipeline.embedPolicy, every: pipeline.embedEvery, minHeight: pipeline.embedMinHeight)
    }
}

/// One camera's embedding decisions, frame after frame in order.
///
/// With `each_track`, every box is followed from frame to frame by overlap (the best IoU of at least
/// ``followingIoU`` with a box of the last ``followingGap`` frames, pairs taken best first) and is
/// embedded when it is first seen and then every N-th frame: a person who walks in gets an embedding at
/// once, and each track N times fewer. The following is the schedule's own, before the tracker's
/// association (which needs the embeddings), so it only decides when to embed: the tracker still takes
/// every box, embedded or not. It depends only on the camera's boxes, so a resumed run that replays the
/// boxes of the frames it skips makes the same decisions as a run that never stopped.
public struct EmbeddingSchedule: Sendable {
    /// The least IoU at which a box continues one of the last frames' boxes.
    public static let followingIoU = 0.5
    /// Boxes of up to this many frames back can be continued (a detection or two missed on the way).
    public static let followingGap = 3

    /// The policy applied.
    public let policy: EmbeddingPolicy
    /// `each_track`: the boxes followed, each with the frame it was last seen in and frames since its
    /// last embedding. At most the boxes of the last `followingGap` frames.
    private var followed: [(box: BoundingBox, seen: Int, since: Int)] = []

    /// A schedule for one camera, before its first frame.
    public init(_ policy: EmbeddingPolicy) {
        self.policy = policy
    }

    /// The indices of frame `offset`'s `boxes` to embed (boxes tall enough and valid only; `offset`
    /// counted from the camera's first frame, rising), moving the schedule on to that frame.
    public mutating func choose(_ boxes: [SuppliedDetections.Box], frame offset: Int) -> [Int] {
        let minHeight = policy.minHeight
        let eligible = { (b: SuppliedDetections.Box) in b.box.isValid && b.box.h >= minHeight }
        guard policy.policy == .eachTrack else {
            return offset % policy.every == 0 ? boxes.indices.filter { eligible(boxes[$0]) } : []
        }
        // Best-first matching of this frame's boxes to the followed ones (ties: lower indices first).
        var pairs: [(iou: Double, box: Int, followed: Int)] = []
        for (i, b) in boxes.enumerated() where b.box.isValid {
            for (j, f) in followed.enumerated() {
                let iou = b.box.iou(f.box)
                if iou >= Self.followingIoU { pairs.append((iou, i, j)) }
            }
        }
        pairs.sort { ($0.iou, -$0.box, -$0.followed) > ($1.iou, -$1.box, -$1.followed) }
        var match = [Int?](repeating: nil, count: boxes.count), taken = Set<Int>()
        for p in pairs where match[p.box] == nil && !taken.contains(p.followed) {
            match[p.box] = p.followed
            taken.insert(p.followed)
        }
        var chosen: [Int] = []
        var next: [(box: BoundingBox, seen: Int, since: Int)] = []
        for (i, b) in boxes.enumerated() where b.box.isValid {
            // Frames since this box's track was last embedded; a new box counts as due.
            let since = match[i].map { followed[$0].since + (offset - followed[$0].seen) } ?? policy.every
            let embeds = eligible(b) && since >= policy.every
            if embeds { chosen.append(i) }
            next.append((b.box, offset, embeds ? 0 : since))
        }
        for (j, f) in followed.enumerated() where !taken.contains(j) && offset - f.seen < Self.followingGap {
            next.append(f)
        }
        followed = next
        return chosen
    }

    /// The crops to embed of frame `offset`'s `boxes` in `view` (the camera's picture), each with the
    /// index of its box: the chosen boxes, clipped to the view. The regions share `view`'s pixels.
    public mutating func crops(of boxes: [SuppliedDetections.Box], in view: Frame, frame offset: Int) -> [(box: Int, region: FrameRegion)] {
        var out: [(box: Int, region: FrameRegion)] = []
        for i in choose(boxes, frame: offset) {
            guard let c = boxes[i].box.clipped(width: Double(view.width), height: Double(view.height)),
                let region = view.clampedRegion(x: Int(c.x.rounded()), y: Int(c.y.rounded()), width: Int(c.w.rounded()),
                                                height: Int(c.h.rounded()))
            else { continue }
            out.append((i, region))
        }
        return out
    }
}

extension ResolvedPipeline.Camera {
    /// What this camera sees of a decoded `frame`: its crop region as a frame of its own, or the whole frame.
    public func view(of frame: Frame) -> Frame {
        crop.map { frame.region(x: $0.x, y: $0.y, width: $0.width, height: $0.height).makeFrame() } ?? frame
    }
}
