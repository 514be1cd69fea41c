/// Who is in a re-identification image and which camera took it: what the protocol needs of an image.
public struct PersonLabel: Sendable, Hashable, Codable {
    /// The person id. `0` is a distractor (Market-1501's `0000`): kept in the gallery, never a match.
    public var personID: Int
    /// The camera number (1-based in both Market-1501 and DukeMTMC-reID).
    public var camera: Int

    /// A label for person `personID` seen by camera `camera`.
    public init(personID: Int, camera: Int) {
        self.personID = personID
        self.camera = camera
    }

    /// The distractor id, `0000` in Market-1501 file names.
    public static let distractorID = 0

    /// True for a distractor: it can never be a true match.
    public var isDistractor: Bool { personID == Self.distractorID }
}
