extension ScenePlan {
    /// Ground-truth boxes of one frame (0-based `frame`) of camera `camera`, given its `figures`.
    ///
    /// Every person with part of their box inside the frame gets a line, clipped to the frame, with
    /// the visible fraction of the unclipped box. It counts (confidence 1) when at least
    /// `config.minVisibility` of it shows and the clipped box is at least 4 x 8 pixels; otherwise its
    /// confidence is 0 and `min_confidence=1` scoring ignores it.
    public func groundTruth(camera: Int, frame: Int, figures: [Figure]) -> [SceneBox] {
        var boxes: [SceneBox] = []
        for figure in figures {
            let visibility = visibility(of: figure, among: figures, camera: camera)
            let raw = SceneBox(
                frame: frame + 1, id: figure.person + 1, x: figure.x, y: figure.y,
                width: figure.width, height: figure.height, confidence: 0, visibility: visibility)
            guard var box = raw.clipped(width: config.width, height: config.height) else { continue }
            if visibility >= config.minVisibility && box.width >= 4 && box.height >= 8 { box.confidence = 1 }
            boxes.append(box)
        }
        boxes.sort { $0.id < $1.id }
        return boxes
    }
}
