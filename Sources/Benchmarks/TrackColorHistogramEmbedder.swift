import Pipeline
import ReIDNet
import VideoIO

/// A deterministic stand-in embedder for testing the driver's plumbing without a network: a joint
/// RGB histogram (4 x 4 x 4 bins) of the crop's upper and lower halves, 128 values.
/// Never used for the numbers `panoptes bench track` reports.
public final class TrackColorHistogramEmbedder: CropEmbedder {
    /// "color-histogram".
    public let name = "color-histogram"
    /// 128.
    public let dimension = 128

    /// The embedder.
    public init() {}

    /// Histograms of every crop.
    public func embed(_ crops: [FrameRegion]) throws -> Embeddings {
        let rows = crops.map { crop in
            var hist = [Float](repeating: 0, count: 128)
            crop.withUnsafePixels { (base: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int) in
                for y in 0..<height {
                    let half = y < height / 2 ? 0 : 64
                    let row = base + y * stride
                    for x in 0..<width {
                        let r = Int(row[3 * x]) >> 6, g = Int(row[3 * x + 1]) >> 6, b = Int(row[3 * x + 2]) >> 6
                        hist[half + r * 16 + g * 4 + b] += 1
                    }
                }
            }
            let norm = hist.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > 0 ? hist.map { $0 / norm } : hist
        }
        return Embeddings(count: crops.count, dimension: dimension, values: rows.flatMap { $0 })
    }
}
