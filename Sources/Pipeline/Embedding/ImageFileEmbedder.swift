import Evaluation
import Foundation
internal import LinearAlgebra
import ReIDNet
import Synchronization
import VideoIO

/// Embeds image files (PNG, JPEG ... decoded by VideoIO) through a `CropEmbedder`, each image whole:
/// what `panoptes embed` and `panoptes eval` run, so they share `run`'s embedding path.
public struct ImageFileEmbedder: ImageBatchEmbedder {
    /// The embedder every image goes through.
    public let embedder: any CropEmbedder

    /// Embeds through `embedder`.
    public init(embedder: any CropEmbedder) {
        self.embedder = embedder
    }

    /// Values per embedding.
    public var dimension: Int { embedder.dimension }

    /// Decodes each image and embeds them in order: row-major values and attention peaks.
    ///
    /// - Throws: `VideoError` naming an image that cannot be decoded, or the embedder's error.
    public func embed(_ images: [URL]) throws -> (values: [Float], attentionPeaks: [Float]) {
        let embeddings = try embedImages(images.map(\.path))
        return (embeddings.values, embeddings.attentionPeaks)
    }

    /// Decodes and embeds `paths`. `known` holds the first images' results when they were decoded already
    /// (``ImageDecodingAhead``); the others are decoded here.
    ///
    /// - Throws: the first (by index) image's `VideoError`, naming it, or the embedder's error.
    public func embedImages(_ paths: [String], decoded known: ArraySlice<Result<Frame, VideoError>> = []) throws -> Embeddings {
        precondition(known.count <= paths.count, "ImageFileEmbedder: \(known.count) images decoded ahead of \(paths.count)")
        // Side by side on the network's compute threads, each taking the next image as it finishes one:
        // each decode is one FFmpeg context of its own, and the network waits for all. (Through
        // `DispatchQueue.concurrentPerform`, the second thread woke milliseconds late for every batch
        // and the calling thread decoded most of it alone.)
        let decoded = Mutex(known.map { Optional($0) } + [Result<Frame, VideoError>?](repeating: nil, count: paths.count - known.count))
        let next = Atomic<Int>(known.count)
        // None left (all known ahead): no slices, nothing runs.
        WorkerPool.run(min(GEMM.threadCount, paths.count - known.count)) { _ in
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                guard i < paths.count else { return }
                let result = Result { () throws(VideoError) -> Frame in try ImageDecoder.decode(path: paths[i]) }
                decoded.withLock { $0[i] = result }
            }
        }
        let crops = try decoded.withLock { $0 }.map { result in
            let frame = try result!.get()
            return frame.region(x: 0, y: 0, width: frame.width, height: frame.height)
        }
        return try embedder.embed(crops)
    }
}
