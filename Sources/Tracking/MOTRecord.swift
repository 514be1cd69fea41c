/// One line of a MOTChallenge file: `frame,id,x,y,w,h,conf,class,visibility,...` with 1-based frames.
public struct MOTRecord: Sendable, Equatable, Codable {
    /// 1-based frame number, as written in the file (Panoptes' 0-based frame is `frame − 1`).
    public var frame: Int
    /// Track or object id (−1 in detection files).
    public var id: Int
    /// The box.
    public var box: BoundingBox
    /// Confidence (ground truth: 1 = consider, 0 = ignore; tracks: any, usually the score).
    public var confidence: Double
    /// Class id, when the line has one (−1 written when nil).
    public var classID: Int?
    /// Visibility, when the line has one (−1 written when nil).
    public var visibility: Double?

    /// Makes a record.
    public init(frame: Int, id: Int, box: BoundingBox, confidence: Double = 1, classID: Int? = nil, visibility: Double? = nil) {
        self.frame = frame
        self.id = id
        self.box = box
        self.confidence = confidence
        self.classID = classID
        self.visibility = visibility
    }

    /// The record for a confirmed track update (frame made 1-based, the score as confidence).
    public init(_ update: TrackUpdate, id: Int? = nil) {
        self.init(frame: update.frame + 1, id: id ?? update.track, box: update.box, confidence: update.score)
    }

    /// The line as MOTChallenge writes it (10 fields; no newline).
    public var line: String {
        func number(_ v: Double) -> String {
            if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
            return String(v)
        }
        let fields = [
            String(frame), String(id), number(box.x), number(box.y), number(box.w), number(box.h),
            number(confidence), classID.map(String.init) ?? "-1", visibility.map(number) ?? "-1", "-1",
        ]
        return fields.joined(separator: ",")
    }
}
