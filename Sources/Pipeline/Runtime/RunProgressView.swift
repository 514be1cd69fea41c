import Foundation

/// The progress display of `panoptes run`: on a terminal, one bar per camera redrawn in place (frames,
/// frames/s, ETA, identities so far); elsewhere, plain log lines.
public struct RunProgressView: Sendable {
    /// Characters of each bar.
    public var width = 24
    /// The run's start (monotonic seconds).
    public var start: Double

    /// A view of a run that started at `start`.
    public init(start: Double) {
        self.start = start
    }

    /// The block of lines for `snapshot` at `now`, one per camera and one of totals (`lineCount`); `previousLines` lines are moved up
    /// over first (ANSI cursor-up), so the block redraws in place.
    public func terminalBlock(_ snapshot: RunStatistics.Snapshot, now: Double, previousLines: Int) -> String {
        var out = previousLines > 0 ? "\u{1B}[\(previousLines)A" : ""
        let elapsed = max(now - start, 1e-9)
        let idWidth = snapshot.cameras.map(\.id.count).max() ?? 0
        for c in snapshot.cameras {
            let rate = Double(c.frames) / elapsed
            var line = c.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + " "
            if let total = c.expectedFrames, total > 0 {
                let fraction = min(1, Double(c.frames) / Double(total))
                let filled = Int(fraction * Double(width))
                line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                line += "\(c.frames)/\(total)"
                if !c.finished && rate > 0 { line += " ETA \(Self.clock(Double(total - c.frames) / rate))" }
            } else {
                line += "\(c.frames) frames"
            }
            line += String(format: " %.1f fps", rate)
            line += c.error != nil ? " FAILED" : c.finished ? " done" : ""
            out += "\u{1B}[2K" + line + "\n"
        }
        out += "\u{1B}[2K" + "identities \(snapshot.identitiesCreated), events \(snapshot.events)\n"
        return out
    }

    /// Lines in a terminal block of `cameras` cameras.
    public static func lineCount(cameras: Int) -> Int { cameras + 1 }

    /// One plain line for logs: frames per camera, identities, events.
    public func logLine(_ snapshot: RunStatistics.Snapshot, now: Double) -> String {
        let parts = snapshot.cameras.map { c in
            "\(c.id) \(c.frames)" + (c.expectedFrames.map { "/\($0)" } ?? "") + (c.error != nil ? " failed" : c.finished ? " done" : "")
        }
        return String(format: "[%.0fs] ", now - start) + parts.joined(separator: ", ")
            + "; identities \(snapshot.identitiesCreated), events \(snapshot.events)"
    }

    /// `m:ss` (or `h:mm:ss`).
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
