import Foundation
import Tracking

/// One camera's supplied person boxes, grouped by 0-based frame, read from a MOTChallenge `det.txt`
/// (1-based frames: frame f is frame f − 1) or a JSONL file (`{"frame": 0-based, "x", "y", "w", "h",
/// "score"}` per line).
///
/// Bad lines are reported with `file:line` (`skipped`) and skipped, or thrown, by the policy.
/// - Note: The whole file is held, grouped by frame: a det.txt of an hour at 10 people per frame is
///   about 36,000 lines per 1,000 frames, a few MB. Frames are handed out and dropped in order.
public struct SuppliedDetections: Sendable {
    /// One box.
    public struct Box: Sendable, Equatable {
        /// In the camera's pixels.
        public var box: BoundingBox
        /// The detector's confidence.
        public var score: Double

        /// A box with its score.
        public init(box: BoundingBox, score: Double) {
            self.box = box
            self.score = score
        }
    }

    /// The file read.
    public let path: String
    /// Boxes per 0-based frame.
    public private(set) var byFrame: [Int: [Box]]
    /// Lines skipped, each `file:line: reason`.
    public let skipped: [String]
    /// Boxes read.
    public let count: Int

    /// Reads `url` in `format`.
    ///
    /// - Parameter fatal: throw the first bad line instead of skipping it.
    /// - Throws: `MOTFileError` naming the file and line (unreadable file, or a bad line when `fatal`).
    public static func read(_ url: URL, format: DetectionsConfig.Format, fatal: Bool) throws -> SuppliedDetections {
        switch format {
        case .mot:
            let file = try MOTFile.read(url, onBadLine: fatal ? .fail : .skip)
            var byFrame: [Int: [Box]] = [:]
            for r in file.records { byFrame[r.frame - 1, default: []].append(Box(box: r.box, score: r.confidence)) }
            return SuppliedDetections(path: url.path, byFrame: byFrame, skipped: file.skipped.map(\.description),
                                      count: file.records.count)
        case .jsonl:
            return try readJSONL(url, fatal: fatal)
        }
    }

    /// Takes (and forgets) frame `frame`'s boxes.
    public mutating func take(frame: Int) -> [Box] {
        byFrame.removeValue(forKey: frame) ?? []
    }

    /// Boxes left for frames after `frame` is done (for the summary: boxes past the video's end).
    public var remaining: Int { byFrame.values.reduce(0) { $0 + $1.count } }

    private struct Line: Decodable {
        var frame: Int
        var x: Double
        var y: Double
        var w: Double
        var h: Double
        var score: Double?
    }

    private static func readJSONL(_ url: URL, fatal: Bool) throws -> SuppliedDetections {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw MOTFileError(path: url.path, line: 0, message: "cannot read the file (\(error.localizedDescription)); check the path")
        }
        var byFrame: [Int: [Box]] = [:]
        var skipped: [String] = []
        var count = 0
        let decoder = JSONDecoder()
        var number = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            number += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            do {
                let item: Line
                do {
                    item = try decoder.decode(Line.self, from: line)
                } catch {
                    throw MOTFileError(path: url.path, line: number,
                                       message: "not a detection object {\"frame\": 0-based, \"x\", \"y\", \"w\", \"h\", \"score\"}")
                }
                guard item.frame >= 0 else {
                    throw MOTFileError(path: url.path, line: number, message: "frame \(item.frame) is negative; JSONL frames are 0-based")
                }
                guard [item.x, item.y, item.w, item.h, item.score ?? 1].allSatisfy(\.isFinite) else {
                    throw MOTFileError(path: url.path, line: number, message: "a coordinate or the score is not a finite number")
                }
                byFrame[item.frame, default: []].append(Box(box: BoundingBox(x: item.x, y: item.y, w: item.w, h: item.h), score: item.score ?? 1))
                count += 1
            } catch let error as MOTFileError {
                if fatal { throw error }
                skipped.append(error.description)
            }
        }
        return SuppliedDetections(path: url.path, byFrame: byFrame, skipped: skipped, count: count)
    }
}
