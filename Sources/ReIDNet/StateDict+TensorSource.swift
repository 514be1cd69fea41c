/// A loaded checkpoint feeds the model builders directly; `module.` and `base.` prefixes resolve as
/// ``StateDict``'s key mapping says.
extension StateDict: TensorSource {
    /// The stored shape answering `name`, or nil.
    public func shape(of name: String) -> [Int]? { try? tensor(name).shape }

    /// The Float32 values answering `name`; throws ``WeightsError`` naming the key and both shapes.
    public func floats(_ name: String, shape: [Int]) throws -> [Float] { try tensor(name, shape: shape).values }

    /// The Float32 values answering `name`, which this state dict then no longer holds.
    public mutating func takeFloats(_ name: String, shape: [Int]) throws -> [Float] { try take(name, shape: shape).values }
}

extension Architecture {
    /// Every tensor the forward pass reads, as the weights loaders' ``ExpectedTensor`` list.
    public var expectedTensors: [ExpectedTensor] { requiredTensors.map { ExpectedTensor($0.name, shape: $0.shape) } }

    /// Whether `stateDict` holds every tensor this model needs with the right shape (and which it
    /// leaves unused): the line `panoptes inspect` prints per model.
    public func fit(_ stateDict: StateDict) -> WeightsFit { stateDict.fit(expectedTensors, model: rawValue) }
}
