/// Hands a model builder the tensors it asks for and remembers which stored tensors were used,
/// so the builder can report the unexpected (unused) ones when it is done.
///
/// ```swift
/// var reader = StateDictReader(try WeightsLoader.load(url))
/// let w = try reader.tensor("layer1.0.conv1.weight", shape: [64, 64, 1, 1])
/// // ... every other tensor ...
/// log(reader.unusedNames)   // e.g. training-only heads
/// ```
public struct StateDictReader: Sendable {
    /// The state dict being read.
    public let stateDict: StateDict
    /// Stored names handed out so far.
    public private(set) var usedNames: Set<String> = []

    /// A reader over `stateDict` with nothing used yet.
    public init(_ stateDict: StateDict) {
        self.stateDict = stateDict
    }

    /// The tensor for `key` with exactly `shape`, marked as used (see ``StateDict/tensor(_:shape:)``).
    ///
    /// - Throws: ``WeightsError`` naming the key and both shapes when it is missing or mis-shaped.
    public mutating func tensor(_ key: String, shape: [Int]) throws -> WeightTensor {
        let tensor = try stateDict.tensor(key, shape: shape)
        if let name = stateDict.storedName(for: key) { usedNames.insert(name) }
        return tensor
    }

    /// The tensor for `key` (any shape), marked as used; `nil` when absent. For optional
    /// tensors such as `num_batches_tracked`.
    public mutating func optionalTensor(_ key: String) -> WeightTensor? {
        guard let name = stateDict.storedName(for: key) else { return nil }
        usedNames.insert(name)
        return stateDict[storedName: name]
    }

    /// Stored names not handed out yet, in file order.
    public var unusedNames: [String] { stateDict.names.filter { !usedNames.contains($0) } }
}
