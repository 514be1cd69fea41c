/// The named tensors of a weights file (PyTorch's `state_dict`), in file order.
///
/// ## Key mapping
/// Models ask for tensors by their canonical key; the lookup accepts the spellings that real
/// checkpoints use for the same tensor:
/// 1. A leading `module.` (one or more, from `nn.DataParallel`) is removed from every stored
///    name when the file loads; two names that then coincide are a ``WeightsError``.
/// 2. A key is looked up exactly first. If absent, the `base.` prefix (the PFSA model's backbone
///    attribute) is toggled: `layer1.0.conv1.weight` also finds `base.layer1.0.conv1.weight`, and
///    `base.layer1.0.conv1.weight` also finds `layer1.0.conv1.weight`.
///
/// So `module.base.layer1.0.conv1.weight`, `base.layer1.0.conv1.weight`, `module.layer1.0.conv1.weight`
/// and `layer1.0.conv1.weight` all answer `tensor("layer1.0.conv1.weight", ...)` and
/// `tensor("base.layer1.0.conv1.weight", ...)`; an exact match always wins.
///
/// Use ``StateDictReader`` to also learn which stored tensors a model left unused, and
/// ``fit(_:model:)`` to check a whole model's list of tensors at once.
public struct StateDict: Sendable {
    /// The format the file was read as.
    public var format: WeightsFormat
    /// The file the tensors came from (used in error messages), if any.
    public var path: String?
    /// Non-tensor entries beside the tensors, printed as text: for the official PFSA checkpoint
    /// `epoch` and `best_top1`; for safetensors the header's `__metadata__`.
    public var metadata: [String: String]
    /// Stored names in file order, exactly as written (with any `module.` prefix).
    public private(set) var names: [String]
    private var tensorsByName: [String: WeightTensor]
    /// Stored name without its `module.` prefixes → stored name.
    private var storedNameByKey: [String: String]

    /// A state dict of `tensors` (name, tensor) in that order.
    ///
    /// - Throws: ``WeightsError/Kind/duplicateTensor(key:)`` when two names coincide once
    ///   `module.` is removed.
    public init(
        format: WeightsFormat, path: String? = nil, tensors: [(name: String, tensor: WeightTensor)],
        metadata: [String: String] = [:]
    ) throws {
        self.format = format
        self.path = path
        self.metadata = metadata
        names = []
        names.reserveCapacity(tensors.count)
        tensorsByName = [:]
        storedNameByKey = [:]
        for (name, tensor) in tensors {
            let key = Self.removingModulePrefix(name)
            guard tensorsByName[name] == nil, storedNameByKey[key] == nil else {
                throw WeightsError(.duplicateTensor(key: key), path: path)
            }
            names.append(name)
            tensorsByName[name] = tensor
            storedNameByKey[key] = name
        }
    }

    /// The number of tensors.
    public var count: Int { names.count }

    /// The tensor stored under exactly `name` (no prefix mapping), if any.
    public subscript(storedName name: String) -> WeightTensor? { tensorsByName[name] }

    /// The stored name that answers `key` under the mapping rules above, or `nil`.
    public func storedName(for key: String) -> String? {
        let key = Self.removingModulePrefix(key)
        if let name = storedNameByKey[key] { return name }
        let toggled = key.hasPrefix("base.") ? String(key.dropFirst(5)) : "base." + key
        return storedNameByKey[toggled]
    }

    /// Whether `key` resolves to a stored tensor.
    public func contains(_ key: String) -> Bool { storedName(for: key).map { tensorsByName[$0] != nil } ?? false }

    /// The tensor for `key`, whatever its shape.
    ///
    /// - Throws: ``WeightsError/Kind/missingTensor(key:expectedShape:)`` naming the key.
    public func tensor(_ key: String) throws -> WeightTensor {
        guard let name = storedName(for: key), let tensor = tensorsByName[name] else {
            throw WeightsError(.missingTensor(key: key, expectedShape: nil), path: path)
        }
        return tensor
    }

    /// The tensor for `key`, which must have exactly `shape`.
    ///
    /// - Throws: ``WeightsError/Kind/missingTensor(key:expectedShape:)`` or
    ///   ``WeightsError/Kind/shapeMismatch(key:storedName:expected:actual:)``, naming the key and
    ///   both shapes.
    public func tensor(_ key: String, shape: [Int]) throws -> WeightTensor {
        try stored(key, shape: shape).tensor
    }

    /// The stored name answering `key` and its tensor, which must have exactly `shape`.
    private func stored(_ key: String, shape: [Int]) throws -> (name: String, tensor: WeightTensor) {
        guard let name = storedName(for: key), let tensor = tensorsByName[name] else {
            throw WeightsError(.missingTensor(key: key, expectedShape: shape), path: path)
        }
        guard tensor.shape == shape else {
            throw WeightsError(
                .shapeMismatch(key: key, storedName: name, expected: shape, actual: tensor.shape), path: path)
        }
        return (name, tensor)
    }

    /// ``tensor(_:shape:)``, removed from this state dict: its values are then the only copy where no other
    /// copy of the state dict holds them (``NetworkBuilder`` takes each tensor it builds from). `names`
    /// still lists it.
    ///
    /// - Throws: as ``tensor(_:shape:)``; ``WeightsError/Kind/missingTensor(key:expectedShape:)`` for a
    ///   tensor already taken.
    public mutating func take(_ key: String, shape: [Int]) throws -> WeightTensor {
        let (name, tensor) = try stored(key, shape: shape)
        tensorsByName[name] = nil
        return tensor
    }

    /// Checks a model's whole list of tensors at once, without throwing: which are missing,
    /// which have another shape, and which stored tensors the model does not use.
    ///
    /// This is the one call behind `panoptes inspect`'s "fits" line: a model builder exposes its
    /// ``ExpectedTensor`` list and the CLI passes it here.
    public func fit(_ expected: [ExpectedTensor], model: String) -> WeightsFit {
        var missing: [ExpectedTensor] = []
        var mismatched: [WeightsFit.Mismatch] = []
        var used = Set<String>()
        for item in expected {
            guard let name = storedName(for: item.key), let tensor = tensorsByName[name] else {
                missing.append(item)
                continue
            }
            used.insert(name)
            if tensor.shape != item.shape {
                mismatched.append(.init(key: item.key, storedName: name, expected: item.shape, actual: tensor.shape))
            }
        }
        return WeightsFit(
            model: model, expectedCount: expected.count, missing: missing, mismatched: mismatched,
            unused: names.filter { !used.contains($0) })
    }

    static func removingModulePrefix(_ name: String) -> String {
        var key = Substring(name)
        while key.hasPrefix("module.") { key = key.dropFirst(7) }
        return String(key)
    }
}
