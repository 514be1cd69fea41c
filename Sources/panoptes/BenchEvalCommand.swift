import ArgumentParser
import Benchmarks
import Evaluation
import Foundation
import Synth
import ReIDNet

/// `panoptes bench eval`: Time and peak memory of a Market-1501-sized evaluation.
struct BenchEvalCommand: AsyncParsableCommand {
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

    @Option(help: "Queries and gallery images (1:4.7, as Market-1501) of the side-by-side run against the Python reference; 0 skips it.")
    var peerQueries = 400

    @Option(help: ArgumentHelp("Only write the generated Market-1501-layout sample data set (synthetic person crops) to this folder.", valueName: "folder"))
    var makeDataset: String?

    mutating func validate() throws {
        guard queries > 0, gallery > 0, dimension > 0 else {
            throw ValidationError("--queries, --gallery and --dimension must be positive.")
        }
    }

    func run() async throws {
        if let makeDataset {
            let summary = try EvalSampleDataset().write(to: URL(fileURLWithPath: makeDataset))
            print("\(makeDataset): \(summary.queries) query images, \(summary.gallery) gallery images "
                  + "(\(summary.distractors) distractors), \(summary.junk) junk")
            return
        }
        if peerQueries > 0 { try await comparePeer() }
        let bench = EvalBenchmark(queries: queries, gallery: gallery, dimension: dimension)
        let start = MonotonicClock.seconds()
        let f = bench.makeFeatures()
        print(String(format: "features: %d queries, %d gallery, %d-d, generated in %.1f s (%.0f MB)",
                     queries, gallery, dimension, MonotonicClock.seconds() - start,
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

    /// Panoptes and the numpy reference on the same matrices: the ratio, and that they agree.
    private func comparePeer() async throws {
        let python = URL(fileURLWithPath: ".venv/bin/python"), script = URL(fileURLWithPath: "Tests/Peers/eval_reference.py")
        guard FileManager.default.isExecutableFile(atPath: python.path), FileManager.default.fileExists(atPath: script.path) else {
            print("peer: .venv/bin/python or Tests/Peers/eval_reference.py not found (run from the repository after `make venv`); skipped")
            return
        }
        let g = peerQueries * 47 / 10
        let small = EvalBenchmark(queries: peerQueries, gallery: g, dimension: 2048, people: max(peerQueries / 4, 2))
        let c = try await small.compareWithPeer(python: python, script: script)
        print(String(format: "peer (%d queries x %d gallery, 2048-d, same distances): ranking+CMC/mAP %.3f s vs numpy %.3f s (%.1fx); "
                     + "re-ranking %.2f s vs published re_ranking (float64) %.2f s (%.1fx); max |difference| %.1e; "
                     + "mAP %.6f vs %.6f, re-ranked %.6f vs %.6f",
                     peerQueries, g, c.panoptesMetricsSeconds, c.peerMetricsSeconds, c.peerMetricsSeconds / c.panoptesMetricsSeconds,
                     c.panoptesReRankingSeconds, c.peerReRankingSeconds, c.peerReRankingSeconds / c.panoptesReRankingSeconds,
                     c.maxReRankedDifference, c.mAP.plain.0, c.mAP.plain.1, c.mAP.reranked.0, c.mAP.reranked.1))
    }
}
