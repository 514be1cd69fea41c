import Foundation

extension EventRecord {
    /// The schema version this module writes and reads (`v`).
    public static let schemaVersion = 1

    /// The JSON keys this event carries (its non-nil fields), in line order.
    public var presentKeys: [String] {
        let present: [CodingKeys: Bool] = [
            .camera: camera != nil, .frame: frame != nil, .track: track != nil, .identity: identity != nil,
            .bbox: bbox != nil, .score: score != nil, .similarity: similarity != nil, .margin: margin != nil,
            .fromCamera: fromCamera != nil, .gap: gap != nil, .previousIdentity: previousIdentity != nil,
            .reason: reason != nil, .wallTime: wallTime != nil, .lastTime: lastTime != nil,
            .message: message != nil, .pipeline: pipeline != nil, .cameras: cameras != nil,
        ]
        return CodingKeys.allCases.filter { present[$0] ?? true }.map(\.rawValue)
    }

    /// The event as one line of an events file: a JSON object, then `\n`.
    ///
    /// Keys are snake_case in a fixed order (v, seq, type, time, camera, frame, track, identity, bbox,
    /// score, then the rest as declared); absent fields are left out; no spaces. A number prints as
    /// Swift's shortest round-trip form, so the same `Double` always gives the same text; strings are
    /// escaped by Foundation's `JSONEncoder`.
    ///
    /// - Throws: ``EventsError`` when the event would break schema version 1: `v` other than 1, `seq`
    ///   below 1, a key its type requires missing, a NaN or infinite number, a `bbox` without 4
    ///   numbers, a negative `frame`, an empty camera name, or a `wall_time` that is not RFC 3339 UTC.
    public func jsonLine() throws(EventsError) -> String {
        do {
            try validate()
        } catch {
            throw error.about(type: type, seq: seq)
        }
        var fields: [String] = ["\"v\":\(v)", "\"seq\":\(seq)", "\"type\":\"\(type.rawValue)\""]
        func add(_ key: CodingKeys, _ json: String?) {
            if let json { fields.append("\"\(key.rawValue)\":\(json)") }
        }
        add(.time, Self.number(time))
        add(.camera, camera.map(Self.string))
        add(.frame, frame.map(String.init))
        add(.track, track.map(String.init))
        add(.identity, identity.map(String.init))
        add(.bbox, bbox.map { "[" + $0.map(Self.number).joined(separator: ",") + "]" })
        add(.score, score.map(Self.number))
        add(.similarity, similarity.map(Self.number))
        add(.margin, margin.map(Self.number))
        add(.fromCamera, fromCamera.map(Self.string))
        add(.gap, gap.map(Self.number))
        add(.previousIdentity, previousIdentity.map(String.init))
        add(.reason, reason.map(Self.string))
        add(.wallTime, wallTime.map(Self.string))
        add(.lastTime, lastTime.map(Self.number))
        add(.message, message.map(Self.string))
        add(.pipeline, pipeline.map(Self.string))
        add(.cameras, cameras.map { "[" + $0.map(Self.string).joined(separator: ",") + "]" })
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// Decodes one line of an events file (with or without its `\n`).
    ///
    /// Unknown keys are ignored, so a reader of version 1 accepts lines with fields added later.
    /// - Throws: ``EventsError`` `.badLine` with what is wrong, or `.unsupportedVersion`; the caller adds
    ///   the file and line.
    public init(jsonLine bytes: some Collection<UInt8>) throws(EventsError) {
        let data = Data(bytes)
        do {
            self = try JSONDecoder().decode(EventRecord.self, from: data)
        } catch {
            // A line of another version may fail for reasons that only make sense in that version.
            if let probe = try? JSONDecoder().decode(VersionProbe.self, from: data), let v = probe.v,
                v != Self.schemaVersion
            {
                throw EventsError(.unsupportedVersion(v))
            }
            throw EventsError(.badLine(detail: Self.describe(error)))
        }
        guard v == Self.schemaVersion else { throw EventsError(.unsupportedVersion(v)) }
    }

    // MARK: Checks

    /// RFC 3339 date-time in UTC, as the schema's `wall_time` pattern states it.
    private static let wallTimePattern = #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"#

    private func validate() throws(EventsError) {
        guard v == Self.schemaVersion else { throw EventsError(.unsupportedVersion(v)) }
        guard seq >= 1 else {
            throw EventsError(.invalidField(
                key: "seq", problem: "is \(seq), below 1; append the event through an EventSink, which numbers it"))
        }
        let present = Set(presentKeys)
        let missing = type.requiredKeys.filter { !present.contains($0) }
        guard missing.isEmpty else { throw EventsError(.missingKeys(missing)) }
        let numbers: [(CodingKeys, Double?)] = [
            (.time, time), (.score, score), (.similarity, similarity), (.margin, margin), (.gap, gap),
            (.lastTime, lastTime),
        ]
        for case let (key, value?) in numbers where !value.isFinite {
            throw EventsError(.invalidField(key: key.rawValue, problem: "is \(value), which JSON cannot hold"))
        }
        if let bbox {
            guard bbox.count == 4 else {
                throw EventsError(.invalidField(key: "bbox", problem: "has \(bbox.count) numbers, not the 4 of [x, y, w, h]"))
            }
            if let bad = bbox.first(where: { !$0.isFinite }) {
                throw EventsError(.invalidField(key: "bbox", problem: "holds \(bad), which JSON cannot hold"))
            }
        }
        if let frame, frame < 0 {
            throw EventsError(.invalidField(key: "frame", problem: "is \(frame); frames are 0-based indices"))
        }
        for (key, name) in [(CodingKeys.camera, camera), (.fromCamera, fromCamera)] where name?.isEmpty == true {
            throw EventsError(.invalidField(key: key.rawValue, problem: "is empty; name the camera"))
        }
        if let cameras {
            guard !cameras.isEmpty, !cameras.contains(where: \.isEmpty) else {
                throw EventsError(.invalidField(key: "cameras", problem: "is empty or holds an empty name"))
            }
        }
        if let wallTime, wallTime.wholeMatch(of: try! Regex(Self.wallTimePattern)) == nil {
            throw EventsError(.invalidField(
                key: "wall_time", problem: "is \"\(wallTime)\", not RFC 3339 in UTC such as 2026-11-29T03:30:00.250Z"))
        }
    }

    // MARK: JSON text

    /// Swift's shortest round-trip text ("12.4", "1e-07"), which is valid JSON for finite values.
    private static func number(_ value: Double) -> String { value.description }

    /// A JSON string literal, escaped by Foundation (quotes, backslashes, control characters).
    private static func string(_ value: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a String cannot fail: every Swift string is valid Unicode.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    /// Only `v`, to tell a line of another schema version from a damaged one.
    private struct VersionProbe: Decodable {
        var v: Int?
    }

    /// A decoding failure in words: which key, what was expected.
    private static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case DecodingError.keyNotFound(let key, _):
            return "missing \"\(key.stringValue)\""
        case DecodingError.typeMismatch(let type, let context):
            return "\"\(path(context.codingPath))\" is not \(type == Double.self ? "a number" : "of type \(type)")"
        case DecodingError.valueNotFound(_, let context):
            return "\"\(path(context.codingPath))\" is null"
        case DecodingError.dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\"\(path(context.codingPath))\": \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
