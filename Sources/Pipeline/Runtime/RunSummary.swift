import Foundation

/// What a finished run did: per camera and in total.
public struct RunSummary: Sendable {
    /// The final counts.
    public var statistics: RunStatistics.Snapshot
    /// Wall-clock seconds of the run.
    public var seconds: Double
    /// Peak resident memory of the process, bytes (nil where `/proc` is not available).
    public var peakResidentBytes: Int?
    /// What reached the trackers, when the runner `recordsEmbeddings` (else empty).
    public var recording: [RecordedItem] = []

    /// Cameras that failed.
    public var failedCameras: [RunStatistics.Camera] { statistics.cameras.filter { $0.error != nil } }

    /// Frames tracked over every camera.
    public var frames: Int { statistics.cameras.reduce(0) { $0 + $1.frames } }

    /// Why the run stopped before the end of its footage, nil when it was not stopped.
    public var stopReason: StopReason? { statistics.stopReason }

    /// The exit status DESIGN.md promises: 0 every camera finished, 3 some failed, 1 every one failed;
    /// a stopped run exits as its signal asks (130 SIGINT, 143 SIGTERM), whatever its cameras did.
    public var exitCode: Int32 {
        if let stopReason { return stopReason.exitStatus }
        let failed = failedCameras.count
        if failed == 0 { return 0 }
        return failed == statistics.cameras.count ? 1 : 3
    }

    /// The summary table for people: one row per camera and a total.
    public var table: String {
        var rows: [[String]] = [["camera", "frames", "detections", "embedded", "tracks", "status"]]
        for c in statistics.cameras {
            let status = c.error != nil ? "failed" : c.stopped ? "stopped" : "ok"
            rows.append([c.id, "\(c.frames)", "\(c.detections)", "\(c.embeddings)", "\(c.tracks)", status])
        }
        let s = statistics
        rows.append(["total", "\(frames)", "\(s.cameras.reduce(0) { $0 + $1.detections })", "\(s.embedded)",
                     "\(s.cameras.reduce(0) { $0 + $1.tracks })",
                     failedCameras.isEmpty ? (stopReason.map { "stopped (\($0.rawValue))" } ?? "ok") : "\(failedCameras.count) failed"])
        var widths = [Int](repeating: 0, count: rows[0].count)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ r: [String]) -> String {
            r.enumerated().map { i, cell in
                i == r.count - 1 ? cell : i == 0 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[i] - cell.count) + cell
            }.joined(separator: "  ")
        }
        var out = rows.map(line).joined(separator: "\n") + "\n"
        let fps = seconds > 0 ? Double(frames) / seconds : 0
        let embedRate = s.embedSeconds > 0 ? Double(s.embedded) / s.embedSeconds : 0
        out += "identities \(s.identitiesCreated) (\(s.identities) held at the end), events \(s.events)\n"
        out += "throughput \(Self.fixed(fps, 1)) frames/s over \(Self.fixed(seconds, 1)) s; "
            + "embedder \(Self.fixed(embedRate, 1)) crops/s in \(s.batches) batches"
        if let peak = peakResidentBytes { out += "; peak RSS \(Self.fixed(Double(peak) / 1_048_576, 1)) MiB" }
        out += "\n"
        // Only live cameras reconnect or drop frames: a recorded run's summary stays as it was.
        for c in s.cameras where c.reconnects > 0 || c.droppedFrames > 0 {
            out += "\(c.id): \(c.reconnects) reconnect\(c.reconnects == 1 ? "" : "s"), \(c.droppedFrames) frame\(c.droppedFrames == 1 ? "" : "s") dropped\n"
        }
        // Only live detection streams have late lines or waits that run out.
        for c in s.cameras where c.detectionLinesLate + c.detectionLinesUnmatched + c.detectionLinesSkipped + c.framesPastDetectionsLatency > 0 {
            out += "\(c.id): detections: \(c.detectionLinesLate) late line\(c.detectionLinesLate == 1 ? "" : "s"), "
                + "\(c.detectionLinesUnmatched) unmatched, \(c.detectionLinesSkipped) bad, "
                + "\(c.framesPastDetectionsLatency) frame\(c.framesPastDetectionsLatency == 1 ? "" : "s") past detections_latency\n"
        }
        for c in failedCameras { out += "\(c.id): \(c.error ?? "")\n" }
        if let stopReason {
            out += "stopped by \(stopReason.signalName) before the end of the footage: \(s.tracksEndedByStop) live tracks "
                + "ended (reason \(PipelineShutdown.trackEndedReason)), run_finished reason \(stopReason.rawValue)\n"
        }
        return out
    }

    static func fixed(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
}
