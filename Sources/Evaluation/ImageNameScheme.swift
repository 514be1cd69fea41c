/// How a re-identification data set names its images, and so where person id and camera come from.
public enum ImageNameScheme: String, Sendable, CaseIterable, Codable {
    /// Market-1501: `PPPP_cCsS_FFFFFF_NN.jpg`, e.g. `0002_c1s1_000451_03.jpg`; person `-1` is junk.
    case market1501
    /// DukeMTMC-reID: `PPPP_cC_fFFFFFFF.jpg`, e.g. `0001_c2_f0046182.jpg`.
    case dukeMTMCreID

    /// The pattern as the user reads it in error messages.
    public var pattern: String {
        switch self {
        case .market1501: return "PPPP_cCsS_FFFFFF_NN.jpg"
        case .dukeMTMCreID: return "PPPP_cC_fFFFFFFF.jpg"
        }
    }

    /// What a name parsed into: a label, or Market-1501's junk marker (`-1`), which the protocol ignores.
    public enum Parsed: Sendable, Equatable {
        /// A usable image of `PersonLabel`.
        case image(PersonLabel)
        /// A junk image (person id `-1`): left out of query and gallery.
        case junk
    }

    /// Parses a file name (no folder) under this scheme; nil when it does not match.
    public func parse(_ name: String) -> Parsed? {
        let lower = name.lowercased()
        guard lower.hasSuffix(".jpg") else { return nil }
        let stem = Array(name.utf8.dropLast(4))
        switch self {
        case .market1501:
            // PPPP or -1, then _cCsS_FFFFFF_NN
            var rest = stem[...]
            let junk: Bool
            let pid: Int
            if rest.starts(with: Array("-1_".utf8)) {
                junk = true
                pid = -1
                rest = rest.dropFirst(2)
            } else {
                guard let p = Self.digits(&rest, count: 4) else { return nil }
                junk = false
                pid = p
            }
            guard Self.literal(&rest, "_c"), let cam = Self.digits(&rest, count: 1),
                Self.literal(&rest, "s"), Self.digits(&rest, count: 1) != nil,
                Self.literal(&rest, "_"), Self.digits(&rest, count: 6) != nil,
                Self.literal(&rest, "_"), Self.digits(&rest, count: 2) != nil, rest.isEmpty
            else { return nil }
            return junk ? .junk : .image(PersonLabel(personID: pid, camera: cam))
        case .dukeMTMCreID:
            var rest = stem[...]
            guard let pid = Self.digits(&rest, count: 4), Self.literal(&rest, "_c"),
                let cam = Self.digits(&rest, count: 1), Self.literal(&rest, "_f"),
                Self.digits(&rest, count: 7) != nil, rest.isEmpty
            else { return nil }
            return .image(PersonLabel(personID: pid, camera: cam))
        }
    }

    /// Consumes exactly `count` ASCII digits.
    private static func digits(_ rest: inout ArraySlice<UInt8>, count: Int) -> Int? {
        guard rest.count >= count else { return nil }
        var value = 0
        for byte in rest.prefix(count) {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        rest = rest.dropFirst(count)
        return value
    }

    /// Consumes `text` literally.
    private static func literal(_ rest: inout ArraySlice<UInt8>, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard rest.starts(with: bytes) else { return false }
        rest = rest.dropFirst(bytes.count)
        return true
    }
}
