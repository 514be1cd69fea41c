/// What `panoptes inspect` prints about a loaded state dict: the format, one line per tensor
/// (name, dtype, shape) and a summary. Model fit lines come from ``StateDict/fit(_:model:)``.
public struct WeightsInspection: Sendable {
    /// The state dict described.
    public var stateDict: StateDict

    /// A description of `stateDict`.
    public init(_ stateDict: StateDict) {
        self.stateDict = stateDict
    }

    /// Total number of elements over all tensors.
    public var parameterCount: Int {
        stateDict.names.reduce(0) { $0 + (stateDict[storedName: $1]?.count ?? 0) }
    }

    /// Tensor count per dtype, e.g. `[.float32: 262, .int64: 52]`.
    public var dtypeCounts: [WeightDType: Int] {
        var counts: [WeightDType: Int] = [:]
        for name in stateDict.names {
            if let tensor = stateDict[storedName: name] { counts[tensor.dtype, default: 0] += 1 }
        }
        return counts
    }

    /// The lines for the terminal: `format: ...`, the tensor table, `summary: ...`, and the
    /// metadata line when there is metadata.
    public var lines: [String] {
        var lines = ["format: \(stateDict.format)"]
        let width = stateDict.names.map(\.count).max() ?? 0
        for name in stateDict.names {
            guard let tensor = stateDict[storedName: name] else { continue }
            let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
            let dtype = tensor.dtype.description.padding(toLength: 8, withPad: " ", startingAt: 0)
            lines.append("  \(padded)  \(dtype)  \(Self.shapeText(tensor.shape))")
        }
        let dtypes = WeightDType.allCases.compactMap { dtype in dtypeCounts[dtype].map { "\($0) \(dtype)" } }
        lines.append(
            "summary: \(stateDict.count) tensors (\(dtypes.joined(separator: ", "))), \(parameterCount) values")
        if !stateDict.metadata.isEmpty {
            let items = stateDict.metadata.keys.sorted().map { "\($0)=\(stateDict.metadata[$0]!)" }
            lines.append("metadata: " + items.joined(separator: ", "))
        }
        return lines
    }

    /// A shape as `[64, 3, 7, 7]` (`[]` for a scalar).
    static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
