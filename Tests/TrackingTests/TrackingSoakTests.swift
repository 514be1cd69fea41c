import Foundation
import ProcessMetrics
import TestSupport
import XCTest
@testable import Tracking

/// Generated multi-camera detections through trackers and the registry, watching memory.
///
/// By default 6 minutes of media with identities kept 1 minute (in a debug build, ~50 times slower:
/// 3 minutes, kept 20 s, 128-value embeddings), so `make test` checks that memory stops growing once
/// the retention window has filled. `PANOPTES_SOAK=<minutes>` runs that long with the
/// default 10-minute retention instead, e.g. `PANOPTES_SOAK=60 swift test -c release --filter TrackingSoakTests`.
final class TrackingSoakTests: XCTestCase {
    /// Least-squares slope of `values` over `minutes`.
    static func slope(_ minutes: [Double], _ values: [Double]) -> Double {
        let n = Double(minutes.count)
        let mx = minutes.reduce(0, +) / n, my = values.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(minutes, values) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
        return sxx > 0 ? sxy / sxx : 0
    }

    func testSlope_ofALine_isItsGradient() {
        XCTAssertEqual(Self.slope([0, 1, 2, 3], [5, 7, 9, 11]), 2, accuracy: 1e-12)
        XCTAssertEqual(Self.slope([0, 1, 2, 3], [4, 4, 4, 4]), 0, accuracy: 1e-12)
    }

    func testStream_keepsMemoryFlatAfterTheRetentionWindowFills() throws {
        let soak = ProcessInfo.processInfo.environment["PANOPTES_SOAK"].flatMap(Double.init)
        #if DEBUG
        let (defaultMinutes, defaultRetention, dimension) = (3.0, 20.0, 128)
        #else
        let (defaultMinutes, defaultRetention, dimension) = (6.0, 60.0, 1280)
        #endif
        let minutes = soak ?? defaultMinutes
        var config = RegistryConfig()
        if soak == nil { config.identityRetention = defaultRetention }
        let fps = 10.0
        let cameras = ["c1", "c2", "c3", "c4"]
        var trackers = Dictionary(uniqueKeysWithValues: cameras.map { ($0, CameraTracker(camera: $0)) })
        var registry = InMemoryIdentityRegistry(config: config)
        var rng = SeededGenerator(seed: 2026)

        struct Walker {
            var camera: String
            var start: Int
            var end: Int
            var x: Double
            var y: Double
            var vx: Double
            var axis: Int
            var person: Int
        }
        var walkers: [Walker] = []
        var nextPerson = 0
        // 64 clothing looks recur: a population far larger than what one registry window holds.
        let looks = 64
        let frames = Int(minutes * 60 * fps)
        var samples: [(minute: Double, rss: Int, identities: Int, tracks: Int, features: Int)] = []
        var events = 0
        var trackerTime = Duration.zero, registryTime = Duration.zero
        var detectionCount = 0
        let clock = ContinuousClock()
        let started = clock.now
        for frame in 0..<frames {
            let time = Double(frame) / fps
            for camera in cameras where Double.random(in: 0..<1, using: &rng) < 1 / (6 * fps) {
                let stay = Int.random(in: 80...300, using: &rng)
                walkers.append(Walker(camera: camera, start: frame, end: frame + stay, x: 20, y: Double.random(in: 20...400, using: &rng),
                                      vx: Double.random(in: 1...3, using: &rng), axis: nextPerson % looks, person: nextPerson))
                // Some people walk on to the next camera after a transit of 3-15 s.
                if Double.random(in: 0..<1, using: &rng) < 0.4 {
                    let next = cameras[(cameras.firstIndex(of: camera)! + 1) % cameras.count]
                    let begin = frame + stay + Int.random(in: 30...150, using: &rng)
                    walkers.append(Walker(camera: next, start: begin, end: begin + Int.random(in: 80...300, using: &rng), x: 20,
                                          y: Double.random(in: 20...400, using: &rng), vx: 2, axis: nextPerson % looks, person: nextPerson))
                }
                nextPerson += 1
            }
            walkers.removeAll { $0.end <= frame }
            for camera in cameras {
                var detections: [Detection] = []
                for w in walkers where w.camera == camera && w.start <= frame && Double.random(in: 0..<1, using: &rng) > 0.1 {
                    var e = [Float](repeating: 0, count: dimension)
                    for i in stride(from: 0, to: dimension, by: 97) { e[i] = Float(rng.gaussian(0.1)) }
                    e[w.axis] += 1
                    let x = w.x + w.vx * Double(frame - w.start)
                    detections.append(Detection(camera: camera, frame: frame, time: time,
                                                box: BoundingBox(x: x.truncatingRemainder(dividingBy: 1800), y: w.y, w: 40, h: 100), embedding: e))
                }
                let t0 = clock.now
                let step = try trackers[camera]!.update(frame: frame, time: time, detections: detections)
                let t1 = clock.now
                events += try registry.ingest(step).count
                trackerTime += t1 - t0
                registryTime += clock.now - t1
                detectionCount += detections.count
            }
            if frame % max(1, frames / 40) == 0 || frame == frames - 1 {
                let features = registry.storedFeatureCount + trackers.values.reduce(0) { $0 + $1.storedFeatureCount }
                samples.append((time / 60, (ResidentMemory.currentBytes() ?? -1024) / 1024, registry.identityCount, registry.trackCount, features))
            }
        }
        let elapsed = clock.now - started
        print("soak: \(Int(minutes)) min of media, 4 cameras at \(Int(fps)) fps, \(nextPerson) people, \(events) events, wall \(elapsed)")
        let updates = Double(frames * cameras.count)
        func micro(_ d: Duration) -> Double { Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) * 1e-12 }
        print(String(format: "soak: %.1f detections per camera frame; tracker update %.1f µs, registry ingest %.1f µs per camera frame",
                     Double(detectionCount) / updates, micro(trackerTime) / updates, micro(registryTime) / updates))
        print("soak: minute  rss_MiB  identities  live_tracks  stored_features")
        for s in samples {
            print(String(format: "soak: %6.1f  %7.1f  %10d  %11d  %15d", s.minute, Double(s.rss) / 1024, s.identities, s.tracks, s.features))
        }
        // A person is present at most ~75 s (30 s in one camera, a 15 s transit, 30 s in the next) and
        // their identity is kept `identityRetention` after that, so the registry is full after both;
        // from then on memory must stop growing, whatever the run's length: the RSS trend stays under
        // 256 KiB per media minute (15 MiB an hour), unless the whole settled window grew less than
        // 1 MiB (on a short window, a few allocator pages make a steep but meaningless slope).
        let settleMinutes = (config.identityRetention + 90) / 60
        let settled = samples.filter { $0.minute >= settleMinutes }
        XCTAssertGreaterThanOrEqual(settled.count, 5, "run at least \(settleMinutes + 1) minutes to measure a slope")
        guard settled.count >= 5 else { return }
        let rssSlope = Self.slope(settled.map(\.minute), settled.map { Double($0.rss) })
        print(String(format: "soak: RSS slope %.1f KiB per media minute after minute %.0f", rssSlope, settleMinutes))
        let growth = settled.map(\.rss).max()! - settled[0].rss
        XCTAssertTrue(rssSlope < 256 || growth < 1024,
                      "RSS keeps growing after the retention window filled (\(rssSlope) KiB/min): \(settled.map(\.rss)) KiB")
    }
}
