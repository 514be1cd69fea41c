import VideoIO

/// Which boxes of which frames are embedded (the `model.embed` section), and their crops: the one
/// place that decides, for the run and for the benchmark that times the embedder alone on the same crops.
public struct EmbeddingPolicy: Sendable {
    /// Embed every `every`-th frame (1: every frame).
    public var every: Int
    /// Boxes shorter than this are not embedded.
    public var minHeight: Double

    /// The policy of `pipeline`.
    public init(_ pipeline: ResolvedPipeline) {
        every = pipeline.embedPolicy == .everyNthFrame ? pipeline.embedEvery : 1
        minHeight = pipeline.embedMinHeight
    }

    /// True when frame `offset` (counted from the camera's first frame) is embedded.
    public func embeds(frame offset: Int) -> Bool { offset % every == 0 }

    /// The crops to embed of frame `offset`'s `boxes` in `view` (the camera's picture), each with the
    /// index of its box: boxes tall enough, clipped to the view, on embedded frames only. The regions
    /// share `view`'s pixels.
    public func crops(of boxes: [SuppliedDetections.Box], in view: Frame, frame offset: Int) -> [(box: Int, region: FrameRegion)] {
        guard embeds(frame: offset) else { return [] }
        var out: [(box: Int, region: FrameRegion)] = []
        for (i, b) in boxes.enumerated() where b.box.h >= minHeight {
            guard b.box.isValid, let c = b.box.clipped(width: Double(view.width), height: Double(view.height)),
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
