/// How well a state dict fits a model: the outcome of ``StateDict/fit(_:model:)``.
public struct WeightsFit: Sendable, Equatable, CustomStringConvertible {
    /// A tensor present under another shape than the model needs.
    public struct Mismatch: Sendable, Hashable {
        /// The canonical key the model asked for.
        public var key: String
        /// The name it is stored under.
        public var storedName: String
        /// The shape the model needs.
        public var expected: [Int]
        /// The shape in the file.
        public var actual: [Int]
    }

    /// The model's name, e.g. `pfsa-mobilenetv2`.
    public var model: String
    /// How many tensors the model needs.
    public var expectedCount: Int
    /// Needed tensors the file lacks.
    public var missing: [ExpectedTensor]
    /// Needed tensors stored with another shape.
    public var mismatched: [Mismatch]
    /// Stored tensors (their stored names, in file order) the model does not use, such as
    /// training-only heads; not an error.
    public var unused: [String]

    /// Whether every needed tensor is present with the right shape.
    public var fits: Bool { missing.isEmpty && mismatched.isEmpty }

    /// One line for `panoptes inspect`, e.g.
    /// `pfsa-mobilenetv2: fits (262 tensors used, 0 unused)` or
    /// `pfsa-resnet50: does not fit (265 of 267 missing, e.g. `layer1.0.conv1.weight` [64, 64, 1, 1])`.
    public var description: String {
        if fits {
            return "\(model): fits (\(expectedCount) tensors used, \(unused.count) unused)"
        }
        var reasons: [String] = []
        if let first = missing.first {
            reasons.append("\(missing.count) of \(expectedCount) missing, e.g. `\(first.key)` \(first.shape)")
        }
        if let first = mismatched.first {
            reasons.append(
                "\(mismatched.count) mis-shaped, e.g. `\(first.key)` is \(first.actual), needs \(first.expected)")
        }
        return "\(model): does not fit (" + reasons.joined(separator: "; ") + ")"
    }
}
