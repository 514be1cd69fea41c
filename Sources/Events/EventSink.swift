/// Where identity events go: numbers each event and stores it.
///
/// The file back end is ``JSONLEventWriter``; a broker or database back end conforms the same way.
///
/// - Note: Class-bound because a sink *is* a position in one log: a copied value would carry its own
///   seq counter and hand out the same seq twice. `Sendable` because the pipeline's stages share one
///   sink; an implementation serializes `append`, so the order of seqs is the order of the log.
public protocol EventSink: AnyObject, Sendable {
    /// Gives `draft` the next seq (its `seq` is ignored), stores it, and returns the stored record.
    ///
    /// The first seq is the one the sink was opened with (1 for a new log); each append that
    /// returns raises it by 1, and one that throws uses none.
    func append(_ draft: EventRecord) throws -> EventRecord

    /// Makes what was appended durable as the sink promises, and refuses further appends.
    func close() throws
}
