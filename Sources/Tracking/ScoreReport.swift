import Foundation

/// `panoptes score`'s result: metrics per camera and, for several cameras, over all of them at once.
public struct ScoreReport: Sendable, Equatable {
    /// One camera's name and metrics.
    public struct Camera: Sendable, Equatable {
        /// The camera's name (file name without `.gt.txt`, or the ground-truth file's name for one camera).
        public var name: String
        /// Its metrics.
        public var metrics: MOTMetrics
    }

    /// Per-camera metrics, ordered by camera name.
    public var cameras: [Camera]
    /// Multi-camera metrics over the concatenated cameras (nil for one camera).
    public var combined: MOTMetrics?

    /// Scores one ground-truth file against one tracks file, or a folder of `<cam>.gt.txt` against a
    /// folder of `<cam>.txt` (the two may be the same folder).
    /// - Throws: `MOTFileError` naming a missing, unreadable or malformed file and what to do.
    public static func score(groundTruth: URL, tracks: URL) throws -> ScoreReport {
        let manager = FileManager.default
        var gtIsFolder: ObjCBool = false, tracksIsFolder: ObjCBool = false
        guard manager.fileExists(atPath: groundTruth.path, isDirectory: &gtIsFolder) else {
            throw MOTFileError(path: groundTruth.path, line: 0, message: "no such file or folder; give a MOTChallenge gt.txt or a folder of <cam>.gt.txt")
        }
        guard manager.fileExists(atPath: tracks.path, isDirectory: &tracksIsFolder) else {
            throw MOTFileError(path: tracks.path, line: 0, message: "no such file or folder; give a MOTChallenge tracks file or a folder of <cam>.txt")
        }
        guard gtIsFolder.boolValue == tracksIsFolder.boolValue else {
            throw MOTFileError(path: tracks.path, line: 0,
                               message: "give two files (one camera) or two folders (many cameras), not a file and a folder")
        }
        if !gtIsFolder.boolValue {
            let gt = try MOTFile.read(groundTruth), ts = try MOTFile.read(tracks)
            let file = groundTruth.lastPathComponent
            let name = file == "gt.txt" ? groundTruth.deletingLastPathComponent().lastPathComponent
                : file.hasSuffix(".gt.txt") ? String(file.dropLast(".gt.txt".count)) : file
            return ScoreReport(cameras: [Camera(name: name, metrics: MOTEvaluator.evaluate(groundTruth: gt.records, tracks: ts.records))],
                               combined: nil)
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: groundTruth.path)
                .filter { $0.hasSuffix(".gt.txt") }
                .map { String($0.dropLast(".gt.txt".count)) }
                .sorted()
        } catch {
            throw MOTFileError(path: groundTruth.path, line: 0, message: "cannot list the folder (\(error.localizedDescription))")
        }
        guard !names.isEmpty else {
            throw MOTFileError(path: groundTruth.path, line: 0, message: "no <cam>.gt.txt files in this folder; put one ground-truth file per camera there")
        }
        var pairs: [(groundTruth: [MOTRecord], tracks: [MOTRecord])] = []
        var cameras: [Camera] = []
        for name in names {
            let trackFile = tracks.appendingPathComponent("\(name).txt")
            guard manager.fileExists(atPath: trackFile.path) else {
                throw MOTFileError(path: trackFile.path, line: 0,
                                   message: "camera \(name) has ground truth but no tracks file; write an empty file if the tracker found nobody")
            }
            let gt = try MOTFile.read(groundTruth.appendingPathComponent("\(name).gt.txt")).records
            let ts = try MOTFile.read(trackFile).records
            pairs.append((gt, ts))
            cameras.append(Camera(name: name, metrics: MOTEvaluator.evaluate(groundTruth: gt, tracks: ts)))
        }
        return ScoreReport(cameras: cameras, combined: names.count > 1 ? MOTEvaluator.evaluateMultiCamera(pairs) : nil)
    }

    /// A fixed-width table: one row per camera, then the multi-camera row.
    public var table: String {
        let header = ["camera", "MOTA", "MOTP", "IDF1", "IDP", "IDR", "IDsw", "Frag", "FP", "FN", "GT"]
        var rows = cameras.map { Self.row($0.name, $0.metrics) }
        if let combined { rows.append(Self.row("all cameras", combined)) }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == 0 ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }

    private static func row(_ name: String, _ m: MOTMetrics) -> [String] {
        func ratio(_ v: Double) -> String { v.isNaN ? "nan" : String(format: "%.6f", v) }
        return [name, ratio(m.mota), ratio(m.motp), ratio(m.idf1), ratio(m.idp), ratio(m.idr), String(m.idSwitches),
                String(m.fragmentations), String(m.falsePositives), String(m.misses), String(m.objects)]
    }

    /// The report as JSON: `{"cameras": {"<name>": {metrics}}, "combined": {metrics} | null}`, keys sorted.
    public func json() throws -> String {
        struct Document: Encodable {
            var cameras: [String: MOTMetrics]
            var combined: MOTMetrics?
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(cameras, forKey: .cameras)
                if let combined { try c.encode(combined, forKey: .combined) } else { try c.encodeNil(forKey: .combined) }
            }
            enum Keys: String, CodingKey { case cameras, combined }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let document = Document(cameras: Dictionary(uniqueKeysWithValues: cameras.map { ($0.name, $0.metrics) }), combined: combined)
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
