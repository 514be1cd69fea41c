/// A tensor's view of a storage: `_rebuild_tensor_v2(storage, offset, size, stride, ...)`'s arguments.
struct TensorRecipe {
    /// The persistent-id object naming the storage.
    var storage: PickleValue
    var offset: Int
    var shape: [Int]
    var strides: [Int]
}
