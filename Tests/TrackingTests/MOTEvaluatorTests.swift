import Foundation
import TestSupport
import XCTest
@testable import Tracking

/// Panoptes' metrics against py-motmetrics 1.4 on the files it ships and on generated tracker outputs.
final class MOTEvaluatorTests: XCTestCase {
    private func checkShipped(_ sequence: String) throws {
        let motmetricsData = try Peer.motmetricsData()
        let gt = motmetricsData.appendingPathComponent("\(sequence)/gt.txt")
        let tracks = motmetricsData.appendingPathComponent("\(sequence)/test.txt")
        let ours = MOTEvaluator.evaluate(groundTruth: try MOTFile.read(gt).records, tracks: try MOTFile.read(tracks).records)
        PeerMetrics.assertEqual(ours, try PeerMetrics.motmetrics([(gt, tracks)]), sequence)
    }

    func testTUDCampus_equalsMotmetrics() throws {
        try checkShipped("TUD-Campus")
    }

    func testTUDStadtmitte_equalsMotmetrics() throws {
        try checkShipped("TUD-Stadtmitte")
    }

    func testGroundTruthAgainstItself_isPerfect() throws {
        let gt = try MOTFile.read(try Peer.motmetricsData().appendingPathComponent("TUD-Campus/gt.txt")).records
        let m = MOTEvaluator.evaluate(groundTruth: gt, tracks: gt)
        XCTAssertEqual(m.mota, 1)
        XCTAssertEqual(m.idf1, 1)
        XCTAssertEqual(m.motp, 0)
        XCTAssertEqual(m.idSwitches, 0)
        XCTAssertEqual(m.objects, gt.count)
    }

    func testPerturbedTrackerOutputs_equalMotmetrics() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        for seed in UInt64(1)...6 {
            var rng = SeededGenerator(seed: seed)
            let gt = Self.groundTruth(people: 8 + Int(seed), frames: 120, rng: &rng)
            let tracks = Self.perturbed(gt, rng: &rng)
            let gtURL = folder.appendingPathComponent("gt\(seed).txt"), tracksURL = folder.appendingPathComponent("ts\(seed).txt")
            try MOTFile(records: gt).write(to: gtURL)
            try MOTFile(records: tracks).write(to: tracksURL)
            // Read back what was written, as `panoptes score` does.
            let ours = MOTEvaluator.evaluate(groundTruth: try MOTFile.read(gtURL).records, tracks: try MOTFile.read(tracksURL).records)
            XCTAssertGreaterThan(ours.idSwitches, 0, "seed \(seed): the generated output should contain switches")
            XCTAssertGreaterThan(ours.fragmentations, 0, "seed \(seed): the generated output should contain fragments")
            PeerMetrics.assertEqual(ours, try PeerMetrics.motmetrics([(gtURL, tracksURL)]), "seed \(seed)")
        }
    }

    func testMultiCameraIDF1_equalsMotmetricsOnConcatenatedSequence() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var rng = SeededGenerator(seed: 42)
        var pairs: [(groundTruth: [MOTRecord], tracks: [MOTRecord])] = []
        var urls: [(gt: URL, tracks: URL)] = []
        for camera in 0..<3 {
            // Global ids: people 1...10 appear in several cameras; the tracker output sometimes swaps them.
            let gt = Self.groundTruth(people: 10, frames: 80 + 20 * camera, rng: &rng)
            let tracks = Self.perturbed(gt, rng: &rng)
            pairs.append((gt, tracks))
            let g = folder.appendingPathComponent("c\(camera).gt.txt"), t = folder.appendingPathComponent("c\(camera).txt")
            try MOTFile(records: gt).write(to: g)
            try MOTFile(records: tracks).write(to: t)
            urls.append((g, t))
        }
        let reread = try urls.map { (try MOTFile.read($0.gt).records, try MOTFile.read($0.tracks).records) }
        let ours = MOTEvaluator.evaluateMultiCamera(reread.map { (groundTruth: $0.0, tracks: $0.1) })
        PeerMetrics.assertEqual(ours, try PeerMetrics.motmetrics(urls), "3 cameras")
        let perCameraMean = reread.map { MOTEvaluator.evaluate(groundTruth: $0.0, tracks: $0.1).idf1 }
        XCTAssertNotEqual(ours.idf1, perCameraMean.reduce(0, +) / 3, accuracy: 1e-9,
                          "multi-camera IDF1 should come from one global matching, not an average")
    }

    func testEmptyTracks_countEveryObjectAsMissed() {
        let gt = [MOTRecord(frame: 1, id: 1, box: BoundingBox(x: 0, y: 0, w: 10, h: 20))]
        let m = MOTEvaluator.evaluate(groundTruth: gt, tracks: [])
        XCTAssertEqual(m.misses, 1)
        XCTAssertEqual(m.mota, 0)
        XCTAssertEqual(m.idf1, 0)
        XCTAssertTrue(m.motp.isNaN)
    }

    /// People walking with constant velocity and random sizes; some rows marked ignore (confidence 0).
    static func groundTruth(people: Int, frames: Int, rng: inout SeededGenerator) -> [MOTRecord] {
        var records: [MOTRecord] = []
        for person in 1...people {
            let start = Int.random(in: 1...(frames / 2), using: &rng)
            let length = Int.random(in: 10...(frames - start + 1), using: &rng)
            var x = Double.random(in: 0...600, using: &rng), y = Double.random(in: 0...300, using: &rng)
            let vx = Double.random(in: -4...4, using: &rng), vy = Double.random(in: -1...1, using: &rng)
            let h = Double.random(in: 60...200, using: &rng), w = h * Double.random(in: 0.3...0.5, using: &rng)
            for frame in start..<(start + length) {
                x += vx
                y += vy
                let ignore = Double.random(in: 0..<1, using: &rng) < 0.03
                records.append(MOTRecord(frame: frame, id: person, box: BoundingBox(x: x.rounded(), y: y.rounded(), w: w.rounded(), h: h.rounded()),
                                         confidence: ignore ? 0 : 1))
            }
        }
        return records.sorted { ($0.frame, $0.id) < ($1.frame, $1.id) }
    }

    /// A plausible tracker output: jittered boxes, misses, false positives, id switches and re-used ids.
    static func perturbed(_ gt: [MOTRecord], rng: inout SeededGenerator) -> [MOTRecord] {
        var idMap: [Int: Int] = [:]
        var nextID = 100
        var out: [MOTRecord] = []
        let frames = Set(gt.map(\.frame)).sorted()
        for frame in frames {
            // Two people swap hypotheses between frames (never inside one, so ids stay unique per frame).
            let people = idMap.keys.sorted()
            if people.count > 1 && Double.random(in: 0..<1, using: &rng) < 0.08 {
                let a = people.randomElement(using: &rng)!, b = people.randomElement(using: &rng)!
                (idMap[a], idMap[b]) = (idMap[b], idMap[a])
            }
            for record in gt where record.frame == frame {
                if Double.random(in: 0..<1, using: &rng) < 0.12 { continue }
                if idMap[record.id] == nil || Double.random(in: 0..<1, using: &rng) < 0.02 {
                    idMap[record.id] = nextID
                    nextID += 1
                }
                let b = record.box
                let jitter = 0.12 * b.h
                let box = BoundingBox(x: b.x + rng.gaussian(jitter / 3), y: b.y + rng.gaussian(jitter / 3),
                                      w: b.w * (1 + rng.gaussian(0.08)), h: b.h * (1 + rng.gaussian(0.08)))
                out.append(MOTRecord(frame: frame, id: idMap[record.id]!, box: BoundingBox(
                    x: (box.x * 100).rounded() / 100, y: (box.y * 100).rounded() / 100,
                    w: (box.w * 100).rounded() / 100, h: (box.h * 100).rounded() / 100), confidence: 1))
            }
            if Double.random(in: 0..<1, using: &rng) < 0.3 {
                out.append(MOTRecord(frame: frame, id: 9_000 + frame % 7, box: BoundingBox(
                    x: Double(Int.random(in: 0...600, using: &rng)), y: Double(Int.random(in: 0...300, using: &rng)), w: 40, h: 100),
                    confidence: Double.random(in: 0..<1, using: &rng) < 0.1 ? -2 : 0.5))
            }
        }
        return out
    }
}
