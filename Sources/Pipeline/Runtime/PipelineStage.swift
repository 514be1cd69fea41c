/// One stage of the runtime graph: reads its input channel, writes its output channel, and returns
/// when its input is finished (having finished its output). The runtime runs every stage as a child
/// task of one task group.
protocol PipelineStage: Sendable {
    /// Runs the stage to its end.
    func run() async throws
}
