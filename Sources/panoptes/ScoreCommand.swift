import ArgumentParser
import Foundation
import Tracking

/// `panoptes score`: Score tracks against ground truth (MOTA, MOTP, IDF1 ...).
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score tracks against ground truth (MOTA, MOTP, IDF1 ...).",
        discussion: """
            Metrics are defined as py-motmetrics computes them: ground truth rows with confidence < 1 are \
            ignored, boxes match at IoU >= 0.5, MOTP is the mean 1 - IoU of matches. With folders, every \
            <cam>.gt.txt is scored against <cam>.txt, and the cameras are also scored as one sequence \
            (multi-camera IDF1; ids must be global).
            """)

    @Option(name: .long, help: "Ground truth: a MOTChallenge gt.txt, or a folder of <cam>.gt.txt files.")
    var gt: String

    @Option(name: .long, help: "Tracker output: a MOTChallenge file, or a folder of <cam>.txt files.")
    var tracks: String

    @Flag(name: .long, help: "Print the metrics as JSON instead of a table.")
    var json = false
}

extension ScoreCommand {
    func run() throws {
        let report = try ScoreReport.score(groundTruth: URL(fileURLWithPath: gt), tracks: URL(fileURLWithPath: tracks))
        print(json ? try report.json() : report.table, terminator: "")
    }
}
