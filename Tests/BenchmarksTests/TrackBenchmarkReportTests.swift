import Tracking
import XCTest
@testable import Benchmarks

/// The table `panoptes bench track` prints, from known numbers.
final class TrackBenchmarkReportTests: XCTestCase {
    static func metrics(idf1: Double, mota: Double, switches: Int, fp: Int, fn: Int) -> MOTMetrics {
        MOTMetrics(mota: mota, motp: 0.2, idf1: idf1, idp: idf1, idr: idf1, idSwitches: switches, fragmentations: 0,
                   falsePositives: fp, misses: fn, matches: 100, objects: 110, predictions: 105, idtp: 90, idfp: 15,
                   idfn: 20, frames: 50, uniqueObjects: 4)
    }

    func testText_tablesTracksIdentitiesAndPeerWithMeansAndRates() {
        let report = TrackBenchmarkReport(
            scene: "/s", model: "pfsa-mobilenetv2",
            cameras: [
                .init(camera: "cam1", panoptes: Self.metrics(idf1: 0.8, mota: 0.7, switches: 2, fp: 3, fn: 4),
                      identities: Self.metrics(idf1: 0.95, mota: 0.72, switches: 0, fp: 3, fn: 4),
                      peer: Self.metrics(idf1: 0.6, mota: 0.5, switches: 5, fp: 6, fn: 7)),
                .init(camera: "cam2", panoptes: Self.metrics(idf1: 0.9, mota: 0.8, switches: 1, fp: 0, fn: 2),
                      identities: Self.metrics(idf1: 0.85, mota: 0.78, switches: 1, fp: 0, fn: 2),
                      peer: Self.metrics(idf1: 0.7, mota: 0.6, switches: 3, fp: 1, fn: 1)),
            ],
            multiCamera: Self.metrics(idf1: 0.75, mota: 0.65, switches: 0, fp: 0, fn: 0),
            panoptesUpdateSeconds: 0.002, panoptesFrames: 100, registrySeconds: 0.001, peerUpdateSeconds: 0.05, peerFrames: 100,
            embeddingSeconds: 12.34, crops: 500, motmetricsMaxDifference: 0, events: 40, corrections: 3)
        XCTAssertEqual(report.panoptesMicrosPerFrame, 20, accuracy: 1e-9)
        XCTAssertEqual(report.peerMicrosPerFrame, 500, accuracy: 1e-9)
        XCTAssertEqual(report.text, """
            scene /s, model pfsa-mobilenetv2, 500 crops embedded in 12.3 s
            camera  output                IDF1    MOTA    IDsw  FP    FN
            cam1    panoptes tracks       0.800   0.700   2     3     4
            cam1    panoptes identities   0.950   0.720   0     3     4
            cam1    deep-sort-realtime    0.600   0.500   5     6     7
            cam2    panoptes tracks       0.900   0.800   1     0     2
            cam2    panoptes identities   0.850   0.780   1     0     2
            cam2    deep-sort-realtime    0.700   0.600   3     1     1
            mean    panoptes tracks       0.850   0.750   3
            mean    panoptes identities   0.900   0.750   1
            mean    deep-sort-realtime    0.650   0.550   8
            (tracks: the tracker's ids, one per unbroken sighting; identities: each camera's --tracks-dir file, a person's visits joined)
            multi-camera IDF1 (panoptes, global identities): 0.750 (IDP 0.750, IDR 0.750, MOTA 0.650, 3 corrections of 40 identity events)
            tracker update per frame: panoptes 20.0 us, deep-sort-realtime 500.0 us: 25.0x faster (registry adds 10.0 us per frame)
            metrics cross-checked with py-motmetrics: largest difference 0.0
            """)
    }
}
