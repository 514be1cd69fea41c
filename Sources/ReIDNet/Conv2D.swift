internal import LinearAlgebra

/// A 2-D convolution with its bias and activation, BatchNorm already folded in.
///
/// Weights are `[outChannels][inChannels / groups][kernelHeight][kernelWidth]`, as PyTorch stores
/// them. Activations are laid out channel-major over the batch, `[C][N][H][W]` ("CNHW"): a 1x1
/// convolution over a whole batch is then one GEMM, weights (Cout×Cin) times activations
/// (Cin×N·H·W).
public struct Conv2D: Sendable {
    /// Output channels.
    public let outChannels: Int
    /// Input channels.
    public let inChannels: Int
    /// Kernel rows.
    public let kernelHeight: Int
    /// Kernel columns.
    public let kernelWidth: Int
    /// Vertical stride.
    public let strideY: Int
    /// Horizontal stride.
    public let strideX: Int
    /// Zero rows added above and below.
    public let padY: Int
    /// Zero columns added left and right.
    public let padX: Int
    /// Channel groups (1: dense; `inChannels`: depthwise).
    public let groups: Int
    /// The epilogue's non-linearity.
    public let activation: Activation
    /// Weights, `[outChannels][inChannels / groups][kernelHeight][kernelWidth]`; empty once released
    /// after packing (``releasingPlainWeights()``, which a built ``ReIDModel`` does).
    public private(set) var weight: [Float]
    /// Per-output-channel bias (zero until a BatchNorm is folded in, unless the layer had one).
    public private(set) var bias: [Float]
    /// Winograd-transformed weights for 3x3 stride-1 convolutions (see `Conv2D+Winograd.swift`), for
    /// OpenBLAS; nil when they are packed (`winogradPacked`) or the layer is not Winograd's.
    var winogradWeight: [Float]?
    /// The transformed weight matrices (36 for F(4x4,3x3), 24 for F(4x2,3x3)), packed for CKernels'
    /// product, where the CPU runs it.
    var winogradPacked: [PackedMatrix]?
    /// The weights as one (Cout × Cin·kh·kw) matrix packed for CKernels' product, for dense layers that
    /// are not Winograd's, where the CPU runs it.
    var packedWeight: PackedMatrix?

    /// Creates a convolution; `weight` must hold `outChannels * inChannels / groups * kh * kw` values.
    /// `winograd` false runs a 3x3 stride-1 layer through im2col (a reference).
    public init(
        outChannels: Int, inChannels: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), groups: Int = 1, activation: Activation = .identity,
        weight: [Float], bias: [Float]? = nil, winograd: Bool = true
    ) {
        precondition(outChannels > 0 && inChannels > 0 && groups > 0, "Conv2D: channels and groups must be positive")
        precondition(inChannels % groups == 0 && outChannels % groups == 0, "Conv2D: groups must divide the channels")
        precondition(kernel.0 > 0 && kernel.1 > 0 && stride.0 > 0 && stride.1 > 0, "Conv2D: kernel and stride must be positive")
        precondition(padding.0 >= 0 && padding.1 >= 0, "Conv2D: padding must not be negative")
        precondition(weight.count == outChannels * inChannels / groups * kernel.0 * kernel.1,
                     "Conv2D: \(weight.count) weights for shape [\(outChannels), \(inChannels / groups), \(kernel.0), \(kernel.1)]")
        precondition(bias == nil || bias!.count == outChannels, "Conv2D: bias count must equal outChannels")
        self.outChannels = outChannels
        self.inChannels = inChannels
        self.kernelHeight = kernel.0
        self.kernelWidth = kernel.1
        self.strideY = stride.0
        self.strideX = stride.1
        self.padY = padding.0
        self.padX = padding.1
        self.groups = groups
        self.activation = activation
        self.weight = weight
        self.bias = bias ?? [Float](repeating: 0, count: outChannels)
        prepareProducts(winograd: winograd)
    }

    /// Prepares what the products read, from the plain weights: Winograd's transformed matrices where
    /// `winograd` and the layer is eligible, else the weights packed for CKernels' product where it runs
    /// and the layer is dense. The one place a layer's algorithm is set.
    mutating func prepareProducts(winograd: Bool) {
        precondition(weight.count == weightCount,
                     "Conv2D: the plain weights were released after packing; build the layer again to change it")
        winogradWeight = nil
        winogradPacked = nil
        packedWeight = nil
        if winograd && winogradEligible {
            prepareWinograd()
            return
        }
        guard GEMM.hasPackedKernel, groups == 1 else { return }
        let k = inChannels * kernelHeight * kernelWidth
        packedWeight = weight.withUnsafeBufferPointer { PackedMatrix(rows: outChannels, columns: k, values: $0.baseAddress!, ld: k) }
    }

    /// The number of weights, `outChannels · inChannels / groups · kernelHeight · kernelWidth` (held or released).
    public var weightCount: Int { outChannels * (inChannels / groups) * kernelHeight * kernelWidth }

    /// The layer without its plain weights where a packed copy runs every product (dense and Winograd
    /// layers where CKernels run): a built model then holds its weights once, not twice. A released
    /// layer can no longer switch between Winograd and im2col.
    func releasingPlainWeights() -> Conv2D {
        guard packedWeight != nil || winogradPacked != nil else { return self }
        var copy = self
        copy.weight = []
        return copy
    }

    /// Bytes of the weights packed for the products (0 where OpenBLAS runs them).
    public var packedWeightBytes: Int {
        (packedWeight?.byteCount ?? 0) + (winogradPacked?.reduce(0) { $0 + $1.byteCount } ?? 0)
    }

    /// Folds an eval-mode BatchNorm that follows this convolution into its weights and bias:
    /// w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β.
    public mutating func foldBatchNorm(
        gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float = 1e-5
    ) {
        Conv2D.foldBatchNorm(weight: &weight, bias: &bias, gamma: gamma, beta: beta, mean: mean,
                             variance: variance, epsilon: epsilon)
        prepareProducts(winograd: usesWinograd)
    }

    /// Folds an eval-mode BatchNorm into `weight` (grouped by output channel) and `bias`, in place.
    static func foldBatchNorm(
        weight: inout [Float], bias: inout [Float], gamma: [Float], beta: [Float], mean: [Float], variance: [Float], epsilon: Float
    ) {
        let outChannels = bias.count
        precondition([gamma.count, beta.count, mean.count, variance.count].allSatisfy { $0 == outChannels },
                     "Conv2D.foldBatchNorm: every BatchNorm vector must have outChannels values")
        let perOutput = weight.count / outChannels
        weight.withUnsafeMutableBufferPointer { weight in
            for o in 0..<outChannels {
                // Computed in Double: the fold is done once and should add no rounding of its own.
                let scale = Double(gamma[o]) / (Double(variance[o]) + Double(epsilon)).squareRoot()
                for i in o * perOutput..<(o + 1) * perOutput { weight[i] = Float(Double(weight[i]) * scale) }
                bias[o] = Float((Double(bias[o]) - Double(mean[o])) * scale + Double(beta[o]))
            }
        }
    }

    /// The output's spatial size for an input of `height`×`width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padY - kernelHeight) / strideY + 1, (width + 2 * padX - kernelWidth) / strideX + 1)
    }

    /// Multiply-adds per image at this input size (×2 for FLOPs).
    public func multiplyAdds(height: Int, width: Int) -> Int {
        let (oh, ow) = outputSize(height: height, width: width)
        return outChannels * (inChannels / groups) * kernelHeight * kernelWidth * oh * ow
    }

    /// Whether this is a 1x1 convolution without padding.
    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && padY == 0 && padX == 0 && groups == 1 }

    /// Whether this is a depthwise convolution (one filter per channel).
    var isDepthwise: Bool { groups == inChannels && groups == outChannels }
}
