import Foundation

/// Everything that decides a data set's features: when any of it changes, the cache misses.
///
/// The model, the weights file (path, size and modification time, so a retrained file at the same
/// path is noticed), the input size, the pooling and the exact image list in order.
public struct FeatureCacheKey: Codable, Sendable, Equatable {
    /// The architecture's name, e.g. `pfsa-mobilenetv2`.
    public var model: String
    /// The weights file's absolute path.
    public var weightsPath: String
    /// The weights file's size in bytes.
    public var weightsSize: Int
    /// The weights file's modification time, seconds since 1970.
    public var weightsModified: Double
    /// Input height the crops are resized to.
    public var inputHeight: Int
    /// Input width the crops are resized to.
    public var inputWidth: Int
    /// The pooling's name, e.g. `normalized`.
    public var pooling: String
    /// Image paths relative to the data set folder, query first, then gallery, in evaluation order.
    public var images: [String]

    /// A key for `weights` as it is on disk now.
    ///
    /// - Throws: the file system's error when `weights` cannot be read.
    public init(model: String, weights: URL, inputHeight: Int, inputWidth: Int, pooling: String, images: [String]) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: weights.path)
        self.model = model
        self.weightsPath = weights.standardizedFileURL.path
        self.weightsSize = (attributes[.size] as? NSNumber)?.intValue ?? -1
        self.weightsModified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.pooling = pooling
        self.images = images
    }

    /// A file name derived from the whole key (FNV-1a 64 of its canonical JSON).
    public var fileName: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in canonicalJSON { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return "features-\(model)-\(pooling)-" + String(repeating: "0", count: 16 - hex.count) + hex + ".bin"
    }

    /// The key as JSON with sorted keys: the same key always gives the same bytes.
    var canonicalJSON: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain strings and numbers cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }
}
