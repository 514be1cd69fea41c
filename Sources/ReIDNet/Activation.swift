/// The pointwise non-linearity a layer applies in its epilogue.
public enum Activation: String, Sendable, CaseIterable {
    /// No non-linearity.
    case identity
    /// max(x, 0).
    case relu
    /// min(max(x, 0), 6), as in MobileNetV2.
    case relu6

    /// Adds `bias` to `count` values at `row` and applies the activation, in place.
    @inlinable
    func apply(bias: Float, row: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity:
            for i in 0..<count { row[i] += bias }
        case .relu:
            for i in 0..<count { row[i] = max(row[i] + bias, 0) }
        case .relu6:
            for i in 0..<count { row[i] = min(max(row[i] + bias, 0), 6) }
        }
    }

    /// The code CKernels' kernels take for this activation (0 identity, 1 relu, 2 relu6).
    var kernelCode: Int32 {
        switch self {
        case .identity: return 0
        case .relu: return 1
        case .relu6: return 2
        }
    }

    /// The activation of one value.
    @inline(__always)
    func scalar(_ x: Float) -> Float {
        switch self {
        case .identity: return x
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        }
    }

    /// The activation of eight values.
    @inline(__always)
    func vector(_ x: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .identity: return x
        case .relu: return x.replacing(with: 0, where: x .< 0)
        case .relu6: return x.replacing(with: 0, where: x .< 0).replacing(with: 6, where: x .> 6)
        }
    }
}
