/// One named tensor of a checkpoint: its stored dtype and shape, and its values as `Float`
/// in C (row-major) order, whatever the file's dtype, strides or storage offset were.
///
/// fp16 and bf16 convert to `Float` exactly; fp64 rounds to nearest. Integer tensors (such as
/// BatchNorm's `num_batches_tracked`) keep their exact values in ``integers`` as well.
public struct WeightTensor: Sendable, Equatable {
    /// The element type in the file.
    public var dtype: WeightDType
    /// The dimensions, outermost first (PyTorch's `size()`); `[]` for a scalar.
    public var shape: [Int]
    /// The values in C order, `shape.reduce(1, *)` of them.
    public var values: [Float]
    /// The exact values of an integer or bool tensor, in C order; `nil` for floating-point dtypes.
    public var integers: [Int64]?

    /// A tensor from its parts; `values.count` must equal the product of `shape`.
    public init(dtype: WeightDType, shape: [Int], values: [Float], integers: [Int64]? = nil) {
        precondition(values.count == shape.reduce(1, *), "values do not fill shape \(shape)")
        self.dtype = dtype
        self.shape = shape
        self.values = values
        self.integers = integers
    }

    /// The number of elements (1 for a scalar).
    public var count: Int { values.count }
}
