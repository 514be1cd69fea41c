/// The only Python globals a checkpoint pickle may name: containers, the tensor-rebuilding
/// functions and the storage classes. Anything else (`os.system`, `builtins.eval`,
/// `subprocess.Popen` ...) is refused when the GLOBAL opcode is read, before anything could call it.
///
/// Even whitelisted names are never "run": ``Unpickler`` interprets each one itself.
enum PickleGlobal: Equatable {
    /// `collections.OrderedDict`.
    case orderedDict
    /// `torch._utils._rebuild_tensor_v2` (PyTorch >= 0.4) and `_rebuild_tensor` (older).
    case rebuildTensor(version: Int)
    /// `torch._utils._rebuild_parameter` / `_rebuild_parameter_with_state`: a parameter wrapping a tensor.
    case rebuildParameter
    /// A storage class such as `torch.FloatStorage` or `torch.cuda.HalfStorage` (GPU files load to the CPU).
    case storage(WeightDType)

    /// The whitelisted global `module.name`.
    ///
    /// - Throws: ``WeightsError/Kind/refusedGlobal(module:name:)`` for every other name.
    init(module: String, name: String) throws {
        switch (module, name) {
        case ("collections", "OrderedDict"):
            self = .orderedDict
        case ("torch._utils", "_rebuild_tensor_v2"):
            self = .rebuildTensor(version: 2)
        case ("torch._utils", "_rebuild_tensor"):
            self = .rebuildTensor(version: 1)
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            self = .rebuildParameter
        case ("torch", _), ("torch.cuda", _):
            guard let dtype = WeightDType(torchStorage: name) else { fallthrough }
            self = .storage(dtype)
        default:
            throw WeightsError(.refusedGlobal(module: module, name: name))
        }
    }
}
