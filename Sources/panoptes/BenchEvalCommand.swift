import ArgumentParser
import Benchmarks
import Evaluation
import Foundation

/// `panoptes bench eval`: Time and peak memory of a Market-1501-sized evaluation.
struct BenchEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Time and peak memory of a Market-1501-sized evaluation.",
        discussion: """
            Synthetic L2-normalised features at Market-1501's sizes are evaluated twice: blocked \
            squared-Euclidean ranking, then k-reciprocal re-ranking (k1=20, k2=6, lambda=0.3). Peak \
            memory is the process's resident high-water mark (VmHWM) during each evaluation.
            """)

    @Option(help: "Number of query images.")
    var queries = 3368

    @Option(help: "Number of gallery images.")
    var gallery = 15913

    @Option(help: "Feature dimension (12288 is the PFSA retrieval descriptor).")
    var dimension = 12288

    @Flag(help: "Skip the re-ranked evaluation.")
    var noRerank = false

    @Option(help: ArgumentHelp("Only write the generated Market-1501-layout sample data set (synthetic person crops) to this folder.", valueName: "folder"))
    var makeDataset: String?

    mutating func validate() throws {
        guard queries > 0, gallery > 0, dimension > 0 else {
            throw ValidationError("--queries, --gallery and --dimension must be positive.")
        }
    }

    func run() throws {
        if let makeDataset {
            let summary = try EvalSampleDataset().write(to: URL(fileURLWithPath: makeDataset))
            print("\(makeDataset): \(summary.queries) query images, \(summary.gallery) gallery images "
                  + "(\(summary.distractors) distractors), \(summary.junk) junk")
            return
        }
        let bench = EvalBenchmark(queries: queries, gallery: gallery, dimension: dimension)
        let start = Date()
        let f = bench.makeFeatures()
        print(String(format: "features: %d queries, %d gallery, %d-d, generated in %.1f s (%.0f MB)",
                     queries, gallery, dimension, Date().timeIntervalSince(start),
                     Double((queries + gallery) * dimension * 4) / 1e6))
        var modes: [KReciprocalReRanking?] = [nil]
        if !noRerank { modes.append(KReciprocalReRanking()) }
        for mode in modes {
            let m = try bench.measure(query: f.query, queryLabels: f.queryLabels, gallery: f.gallery,
                                      galleryLabels: f.galleryLabels, reRanking: mode)
            let mb = { (b: Int?) in b.map { String(format: "%.0f MB", Double($0) / 1e6) } ?? "n/a" }
            print(String(format: "%@: %.1f s, peak RSS %@ (before: %@), rank-1 %.4f mAP %.4f (%d queries scored)",
                         m.reRanked ? "re-ranked (k1=20 k2=6 lambda=0.3)" : "plain (blocked sgemm)",
                         m.seconds, mb(m.peakBytes), mb(m.baselineBytes), m.scores.rank(1),
                         m.scores.meanAveragePrecision, m.scores.evaluatedQueries))
        }
    }
}
