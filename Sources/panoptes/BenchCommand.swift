import ArgumentParser

/// `panoptes bench`: speed measured next to a peer in the same run, printed as a ratio.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Panoptes against its peers (ffmpeg, ONNX Runtime, deep-sort-realtime).",
        subcommands: [
            BenchDecodeCommand.self, BenchEmbedCommand.self, BenchTrackCommand.self, BenchEvalCommand.self, BenchPipelineCommand.self,
        ]
    )
}
