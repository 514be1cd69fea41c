/// A non-`Sendable` value (an event sink, open files) handed from the runner to the one stage that
/// uses it.
///
/// - Note: `@unchecked Sendable` is safe because of how it is used, not by a lock: the runner creates
///   the value, gives the box to exactly one stage before the task group starts, and never touches it
///   again; that stage's single task is then the only code that reads or writes `value`.
final class StageOwned<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
