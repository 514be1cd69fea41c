/// Where a model reads its named float tensors from: a loaded checkpoint (the weights loaders'
/// `StateDict`) or any other name → tensor map.
///
/// Names are the model's own, without `module.` / `base.` prefixes (e.g. `layer1.0.conv1.weight`,
/// `features.0.0.weight`); a source that holds prefixed names maps them.
public protocol TensorSource {
    /// The shape stored under `name`, or nil when the source has no such tensor.
    func shape(of name: String) -> [Int]?
    /// The values of `name` as Float32 in row-major order; throws an error naming the key (and both
    /// shapes) when it is missing or its shape is not `shape`.
    func floats(_ name: String, shape: [Int]) throws -> [Float]
    /// ``floats(_:shape:)`` for a reader that asks for each tensor once: a source that can let its own copy
    /// go then does (a loaded checkpoint), so the values come back as the only copy and memory holds the
    /// checkpoint and what is built from it only once between them. After it, `name` may be gone.
    mutating func takeFloats(_ name: String, shape: [Int]) throws -> [Float]
}

extension TensorSource {
    /// The values, the source keeping its copy.
    public mutating func takeFloats(_ name: String, shape: [Int]) throws -> [Float] {
        try floats(name, shape: shape)
    }
}

/// A ``TensorSource`` over an in-memory dictionary (tests, synthetic weights).
public struct TensorDictionary: TensorSource, Sendable {
    /// name → (shape, row-major values).
    public var tensors: [String: (shape: [Int], values: [Float])]

    /// Wraps `tensors`; each entry's value count must match its shape.
    public init(_ tensors: [String: (shape: [Int], values: [Float])]) {
        self.tensors = tensors
    }

    /// The stored shape of `name`.
    public func shape(of name: String) -> [Int]? { tensors[name]?.shape }

    /// The values of `name`, checked against `shape`.
    ///
    /// - Throws: ``WeightsError`` (`missingTensor`, `shapeMismatch`), as a weights file's tensors do.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] {
        guard let entry = tensors[name] else { throw WeightsError(.missingTensor(key: name, expectedShape: shape)) }
        guard entry.shape == shape else {
            throw WeightsError(.shapeMismatch(key: name, storedName: name, expected: shape, actual: entry.shape))
        }
        return entry.values
    }
}
