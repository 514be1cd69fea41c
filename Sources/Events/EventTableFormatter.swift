import Foundation

/// Renders events as aligned columns for people: seq, time, camera, event, identity, track, evidence.
///
/// Every column but the last has a fixed width, so a `tail --follow` view stays aligned as lines
/// arrive (a camera name longer than ``cameraWidth`` is printed whole and shifts only its own line).
/// The evidence column lists the fields present in a fixed order: similarity, margin, the camera an
/// identity came from, the gap, the retracted identity, the last frame's time, the pipeline and
/// cameras of a run, then the message and the reason in words.
public struct EventTableFormatter: Sendable {
    /// Characters reserved for the camera name.
    public var cameraWidth: Int

    /// A formatter reserving `cameraWidth` characters for camera names.
    public init(cameraWidth: Int = 10) {
        precondition(cameraWidth >= 6, "the camera column needs at least 6 characters (its title)")
        self.cameraWidth = cameraWidth
    }

    /// The column titles, aligned as ``line(for:)`` aligns the values.
    public var header: String {
        row(seq: "SEQ", time: "TIME", camera: "CAMERA", event: "EVENT", identity: "IDENTITY", track: "TRACK",
            evidence: "EVIDENCE")
    }

    /// One event as one line (no newline), e.g.
    /// `    14     12.400s  cam-b       identity_matched    #3        7      sim 0.873  margin 0.121  from cam-a  gap 4.200s`.
    public func line(for record: EventRecord) -> String {
        row(seq: String(record.seq), time: Self.seconds(record.time), camera: record.camera ?? "",
            event: record.type.rawValue, identity: record.identity.map { "#\($0)" } ?? "",
            track: record.track.map(String.init) ?? "", evidence: Self.evidence(record))
    }

    /// Media seconds with millisecond precision: `12.400s`.
    public static func seconds(_ value: Double) -> String { String(format: "%.3fs", value) }

    /// The evidence of `record` in words, fields separated by two spaces.
    public static func evidence(_ record: EventRecord) -> String {
        var parts: [String] = []
        if let value = record.similarity { parts.append(String(format: "sim %.3f", value)) }
        if let value = record.margin { parts.append(String(format: "margin %.3f", value)) }
        if let value = record.fromCamera { parts.append("from \(value)") }
        if let value = record.gap { parts.append("gap \(seconds(value))") }
        if let value = record.previousIdentity { parts.append("was #\(value)") }
        if let value = record.lastTime { parts.append("last frame \(seconds(value))") }
        if let value = record.pipeline { parts.append("pipeline \(value)") }
        if let value = record.cameras { parts.append("cameras \(value.joined(separator: ","))") }
        if let value = record.message { parts.append("message: \(value)") }
        if let value = record.reason { parts.append("reason: \(value)") }
        return parts.joined(separator: "  ")
    }

    private func row(
        seq: String, time: String, camera: String, event: String, identity: String, track: String, evidence: String
    ) -> String {
        let cells = [
            Self.pad(seq, 6, right: true), Self.pad(time, 11, right: true), Self.pad(camera, cameraWidth),
            Self.pad(event, 18), Self.pad(identity, 8), Self.pad(track, 5), evidence,
        ]
        let text = cells.joined(separator: "  ")
        // No trailing blanks when the last columns are empty.
        return String(text.reversed().drop(while: { $0 == " " }).reversed())
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
