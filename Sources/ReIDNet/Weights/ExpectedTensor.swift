/// A tensor a model's forward pass needs: its canonical key and exact shape.
public struct ExpectedTensor: Sendable, Hashable {
    /// The canonical key, e.g. `layer1.0.conv1.weight` (see ``StateDict``'s key mapping).
    public var key: String
    /// The shape the model needs.
    public var shape: [Int]

    /// A needed tensor `key` of `shape`.
    public init(_ key: String, shape: [Int]) {
        self.key = key
        self.shape = shape
    }
}
