import ArgumentParser
import Evaluation
import Foundation
import Pipeline
import ReIDNet
import VideoIO

/// `panoptes eval`: Evaluate a model on a Market-1501-layout data set (CMC, mAP).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a model on a Market-1501-layout data set (CMC, mAP).",
        discussion: """
            DATASET holds query/ and bounding_box_test/ with Market-1501 (0002_c1s1_000451_03.jpg) or \
            DukeMTMC-reID (0001_c2_f0046182.jpg) names. Prints rank-1/5/10 and mAP of the standard \
            protocol (same-id-same-camera gallery images removed, junk -1 ignored, distractors 0000 never \
            match). Features are cached, so a second run with other ranking options does not embed again.
            """)

    @Option(help: "The network: \(Architecture.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: Architecture

    @Option(help: ArgumentHelp("The weights file (PyTorch .pt/.pth/.pth.tar or .safetensors).", valueName: "file"))
    var weights: String

    @Argument(help: ArgumentHelp("The data set folder (holding query/ and bounding_box_test/).", valueName: "dataset"))
    var dataset: String

    @Flag(help: "Re-rank with k-reciprocal encoding (Zhong et al.; k1=20, k2=6, lambda=0.3).")
    var rerank = false

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Option(help: "How the last feature map becomes the embedding: \(Pooling.allCases.map(\.rawValue).joined(separator: ", ")) (default: the model's).")
    var pooling: String?

    @Option(name: .customLong("input"), help: ArgumentHelp("Input size HEIGHTxWIDTH (default: the model's, 256x128 or 384x128).", valueName: "HxW"))
    var inputSize: String?

    @Option(name: .customLong("batch"), help: "Images per network batch.")
    var batchSize = 16

    @Option(help: ArgumentHelp("Folder of cached features (default: ~/.cache/panoptes/features).", valueName: "folder"))
    var cacheDir: String?

    @Flag(help: "Neither read nor write the feature cache.")
    var noCache = false

    mutating func validate() throws {
        if let pooling, Pooling(rawValue: pooling) == nil {
            throw ValidationError("Unknown --pooling '\(pooling)'; use one of: \(Pooling.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        if let inputSize, parseInputSize(inputSize) == nil {
            throw ValidationError("--input '\(inputSize)' is not HEIGHTxWIDTH, e.g. 256x128.")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch must be at least 1.") }
    }

    /// Data set, weights and model errors are runtime failures (exit 1), as in every subcommand.
    func run() throws {
        let architecture = model
        let chosenPooling = pooling.flatMap(Pooling.init(rawValue:)) ?? architecture.defaultPooling
        let size = inputSize.flatMap(parseInputSize) ?? architecture.defaultInputSize
        let root = URL(fileURLWithPath: dataset)
        let weightsURL = URL(fileURLWithPath: weights)

        let data = try ReIDDataset(root: root)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw CommandFailure("\(weights): weights file not found; pass --weights with a PyTorch or safetensors file.")
        }
        let key = try FeatureCacheKey(
            model: architecture.rawValue, weights: weightsURL, inputHeight: size.height, inputWidth: size.width,
            pooling: chosenPooling.rawValue, images: FeatureExtraction.imageList(of: data))
        let cache = noCache ? nil : FeatureCache(directory: cacheDir.map { URL(fileURLWithPath: $0) } ?? FeatureCache.defaultDirectory)

        let start = MonotonicClock.seconds()
        let total = data.query.count + data.gallery.count
        let result: (entry: FeatureCache.Entry, cached: Bool)
        if let hit = try cache?.load(key) {
            result = (hit, true)
        } else {
            let network = try ReIDModel(architecture: architecture, weights: WeightsLoader.load(weightsURL), inputSize: size,
                                        pooling: chosenPooling)
            let embedder = ImageFileEmbedder(embedder: NetworkCropEmbedder(model: network, maxBatch: batchSize))
            let onTerminal = isatty(STDERR_FILENO) == 1
            let bar = ProgressLine(label: "embedding")
            if !onTerminal && !json { FileHandle.standardError.write(Data("embedding \(total) images ...\n".utf8)) }
            result = try FeatureExtraction(batchSize: batchSize).features(of: data, key: key, cache: cache, embedder: embedder) { done, all in
                if onTerminal {
                    FileHandle.standardError.write(Data(bar.render(done: done, total: all, seconds: MonotonicClock.seconds() - start).utf8))
                }
            }
            if onTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        let embedSeconds = MonotonicClock.seconds() - start
        let entry = result.entry
        let saturated = entry.attentionPeaks.filter { $0 > Pooling.saturationThreshold }.count

        let reRanking = rerank ? KReciprocalReRanking() : nil
        let scores = try RetrievalEvaluator(reRanking: reRanking, maxRank: 10).evaluate(
            query: entry.query, queryLabels: data.query.map(\.label),
            gallery: entry.gallery, galleryLabels: data.gallery.map(\.label))
        let cachePath = cache.map { $0.url(for: key).path }

        if json {
            let object: [String: Any] = [
                "dataset": root.path, "scheme": data.scheme.rawValue,
                "queries": data.query.count, "gallery": data.gallery.count, "junk": data.junkCount,
                "distractors": data.gallery.filter { $0.label.isDistractor }.count,
                "model": architecture.rawValue, "pooling": chosenPooling.rawValue,
                "input_size": [size.height, size.width], "dimension": entry.query.dimension,
                "rerank": rerank, "rank1": scores.rank(1), "rank5": scores.rank(5), "rank10": scores.rank(10),
                "mAP": scores.meanAveragePrecision, "cmc": scores.cmc,
                "queries_evaluated": scores.evaluatedQueries, "queries_skipped": scores.skippedQueries,
                "attention_saturated": saturated, "images": total,
                "cache": cachePath.map { $0 as Any } ?? NSNull(), "from_cache": result.cached,
            ]
            let text = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: text, as: UTF8.self))
            return
        }
        let distractors = data.gallery.filter { $0.label.isDistractor }.count
        print("data set: \(root.path) (\(data.scheme == .market1501 ? "Market-1501" : "DukeMTMC-reID") names): "
              + "\(data.query.count) query, \(data.gallery.count) gallery images (\(distractors) distractors); "
              + "\(data.junkCount) junk images ignored")
        let origin = result.cached
            ? "read from cache \(cachePath ?? "")"
            : String(format: "embedded %d images in %.1f s", total, embedSeconds) + (cachePath.map { ", cached in \($0)" } ?? "")
        print("features: \(architecture.rawValue) \(size.height)x\(size.width), \(chosenPooling.rawValue) pooling, "
              + "\(entry.query.dimension)-d; \(origin)")
        if chosenPooling == .softmax || chosenPooling == .normalized {
            print(String(format: "attention: peak weight above %.2f (one position takes all) on %d of %d images (%.1f%%)",
                         Pooling.saturationThreshold, saturated, total, 100 * Double(saturated) / Double(max(total, 1))))
        }
        print("ranking: " + (rerank ? "k-reciprocal re-ranking (k1=20, k2=6, lambda=0.3)" : "squared Euclidean distance"))
        print(String(format: "rank-1   %6.2f%%", 100 * scores.rank(1)))
        print(String(format: "rank-5   %6.2f%%", 100 * scores.rank(5)))
        print(String(format: "rank-10  %6.2f%%", 100 * scores.rank(10)))
        print(String(format: "mAP      %6.2f%%", 100 * scores.meanAveragePrecision))
        print("\(scores.evaluatedQueries) queries scored, \(scores.skippedQueries) skipped (no valid match in the gallery)")
    }
}
