import Foundation
import VideoIO

/// Stage: one annotated video per camera (`<folder>/<camera>.mp4`): every confirmed box drawn in a
/// stable colour per identity with its label ("#12"), so a person can watch what was decided. Boxes of
/// a track not yet given an identity are grey and labelled with the track ("t7").
///
/// Encoding runs on the stage's own queue. A camera whose video cannot be written is logged and
/// skipped; the run goes on.
struct AnnotationStage: PipelineStage {
    let folder: URL
    let cameras: [String]
    let input: BoundedChannel<AnnotationItem>
    let log: @Sendable (String) -> Void
    /// Added to each file's name (`<camera><suffix>.mp4`): a resumed run writes `.part2`, `.part3` …, so
    /// the videos written before the stop are kept.
    var suffix = ""

    func run() async throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            log("annotation: cannot create \(folder.path) (\(error.localizedDescription)); no annotated video is written")
            while await input.receive() != nil {}
            return
        }
        let worker = SerialWorker(label: "panoptes.annotate", value: [Int: VideoWriter]())
        var failed = Set<Int>()
        while let item = await input.receive() {
            switch item {
            case .frame(let camera, let rate, let image, let boxes):
                guard !failed.contains(camera) else { continue }
                let path = folder.appendingPathComponent("\(cameras[camera])\(suffix).mp4").path
                do {
                    try await worker.run { writers in
                        // 4:2:0 needs even sizes: an odd last row or column is left out.
                        let width = image.width & ~1, height = image.height & ~1
                        if writers[camera] == nil {
                            writers[camera] = try VideoWriter(path: path, width: width, height: height, frameRate: rate,
                                                              options: .init(threadCount: 1))
                        }
                        var canvas = width == image.width && height == image.height
                            ? image : image.region(x: 0, y: 0, width: width, height: height).makeFrame()
                        Self.draw(boxes, on: &canvas)
                        try writers[camera]!.append(canvas)
                    }
                } catch {
                    failed.insert(camera)
                    log("annotation: \(cameras[camera]): \(error); its annotated video stops here")
                }
            case .end(let camera):
                do {
                    try await worker.run { writers in try writers.removeValue(forKey: camera)?.finish() }
                } catch {
                    log("annotation: \(cameras[camera]): \(error)")
                }
            }
        }
        _ = try? await worker.run { writers in
            for (_, w) in writers { try w.finish() }
            writers.removeAll()
        }
    }

    /// Draws each box with its identity's colour and label.
    static func draw(_ boxes: [AnnotationItem.Box], on frame: inout Frame) {
        for b in boxes {
            let color = b.identity.map { PixelColor.stable(for: $0) } ?? PixelColor(red: 160, green: 160, blue: 160)
            let label = b.identity.map { "#\($0)" } ?? "t\(b.track)"
            frame.drawLabeledBox(x: Int(b.box.x.rounded()), y: Int(b.box.y.rounded()), width: Int(b.box.w.rounded()),
                                 height: Int(b.box.h.rounded()), label: label, color: color, thickness: 2, scale: 2)
        }
    }
}
