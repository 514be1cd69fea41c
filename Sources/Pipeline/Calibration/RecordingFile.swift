import Foundation
import Tracking

/// A recorded run (`PipelineRunner.recordsEmbeddings`) on disk, so `calibrate --recordings DIR` decodes
/// and embeds each scene once however many times it is calibrated: `NAME.json` holds the frames' boxes
/// and sizes, `NAME.f32` every embedding in order (little-endian float32).
public enum RecordingFile {
    private struct Item: Codable {
        var camera: Int
        var frame: Int?
        var time: Double?
        var width: Int?
        var height: Int?
        /// x, y, w, h, score per box.
        var boxes: [[Double]]?
        /// Per box, whether it has an embedding.
        var embedded: [Bool]?
        /// For an end: its last frame and time, and the error.
        var end: Bool?
        var lastFrame: Int?
        var lastTime: Double?
        var error: String?
    }

    private struct Document: Codable {
        var version = 1
        var dimension: Int
        var items: [Item]
    }

    /// Writes `recording` as `base.json` and `base.f32`.
    public static func write(_ recording: [RecordedItem], to base: URL) throws {
        var dimension = 0
        var floats: [Float] = []
        var items: [Item] = []
        for item in recording {
            switch item {
            case .frame(let f):
                for e in f.embeddings where !e.isEmpty {
                    dimension = e.count
                    floats += e
                }
                items.append(Item(camera: f.camera, frame: f.frame, time: f.time, width: f.width, height: f.height,
                                  boxes: f.boxes.map { [$0.box.x, $0.box.y, $0.box.w, $0.box.h, $0.score] },
                                  embedded: (0..<f.boxes.count).map { $0 < f.embeddings.count && !f.embeddings[$0].isEmpty }))
            case .end(let camera, let lastFrame, let lastTime, let error):
                items.append(Item(camera: camera, end: true, lastFrame: lastFrame, lastTime: lastTime, error: error))
            }
        }
        try JSONEncoder().encode(Document(dimension: dimension, items: items)).write(to: base.appendingPathExtension("json"))
        try floats.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: base.appendingPathExtension("f32"))
    }

    /// Reads what `write` wrote; nil when `base.json` does not exist.
    public static func read(_ base: URL) throws -> [RecordedItem]? {
        let json = base.appendingPathExtension("json")
        guard FileManager.default.fileExists(atPath: json.path) else { return nil }
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: json))
        let data = try Data(contentsOf: base.appendingPathExtension("f32"))
        let floats = data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        var offset = 0
        var out: [RecordedItem] = []
        for item in document.items {
            if item.end == true {
                out.append(.end(camera: item.camera, lastFrame: item.lastFrame, lastTime: item.lastTime, error: item.error))
                continue
            }
            let boxes = (item.boxes ?? []).map { SuppliedDetections.Box(box: BoundingBox(x: $0[0], y: $0[1], w: $0[2], h: $0[3]), score: $0[4]) }
            var embeddings: [[Float]] = []
            for has in item.embedded ?? [] {
                if has {
                    guard offset + document.dimension <= floats.count else { throw CameraFailure("\(base.path).f32 is shorter than its .json says") }
                    embeddings.append(Array(floats[offset..<(offset + document.dimension)]))
                    offset += document.dimension
                } else {
                    embeddings.append([])
                }
            }
            out.append(.frame(EmbeddedFrame(camera: item.camera, frame: item.frame ?? 0, time: item.time ?? 0, width: item.width ?? 0,
                                            height: item.height ?? 0, boxes: boxes, embeddings: embeddings)))
        }
        return out
    }
}
