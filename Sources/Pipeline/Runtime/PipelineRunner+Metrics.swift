extension PipelineRunner {
    /// `GET /metrics`: the run's counts now in the Prometheus text format (see ``RunMetrics`` for every
    /// series). Safe to call from any thread, before, during and after the run.
    public func metricsText() -> String { statistics.prometheusText() }

    /// `GET /healthz`: the run's and each camera's state now. Safe to call from any thread.
    public func health() -> RunHealth {
        let stopping: Bool
        switch shutdown.state {
        case .running, .finished: stopping = false
        case .stopping, .abandoned: stopping = true
        }
        return RunHealth(statistics.snapshot, stopping: stopping)
    }
}
