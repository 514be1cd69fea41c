/// Assembles a ``Network`` program from named checkpoint tensors, folding each BatchNorm into the
/// convolution before it; in `dryRun` it only records which tensors (and shapes) it would read.
struct NetworkBuilder {
    /// A tensor the model reads.
    struct Requirement: Sendable, Equatable {
        var name: String
        var shape: [Int]
    }

    /// Where the tensors come from, owned: each is taken from it as it is read (``TensorSource/takeFloats(_:shape:)``).
    private var source: TensorSource?
    let inputChannels: Int
    /// Whether 3x3 stride-1 layers run Winograd (else im2col).
    let winograd: Bool
    /// Whether each layer keeps its plain weights beside the packed ones.
    let keepingPlainWeights: Bool
    private(set) var steps: [Network.Step] = []
    private(set) var requirements: [Requirement] = []

    /// A builder reading from `source`, or recording requirements only when `source` is nil.
    init(source: consuming TensorSource?, inputChannels: Int, winograd: Bool = true, keepingPlainWeights: Bool = true) {
        self.source = source
        self.inputChannels = inputChannels
        self.winograd = winograd
        self.keepingPlainWeights = keepingPlainWeights
    }

    /// BatchNorm eval-mode epsilon (PyTorch's default, used by both models).
    static let batchNormEpsilon: Float = 1e-5

    private mutating func read(_ name: String, _ shape: [Int]) throws -> [Float] {
        requirements.append(Requirement(name: name, shape: shape))
        return try source?.takeFloats(name, shape: shape) ?? []
    }

    /// Adds `conv` (weight `<conv>.weight`, no bias) followed by BatchNorm `<bn>.*`, folded.
    mutating func convolution(
        _ conv: String, batchNorm bn: String, out: Int, in inChannels: Int, kernel: Int, stride: Int = 1,
        padding: Int = 0, groups: Int = 1, activation: Activation, from input: Int, to output: Int,
        accumulate: Bool = false
    ) throws {
        var w = try read("\(conv).weight", [out, inChannels / groups, kernel, kernel])
        let gamma = try read("\(bn).weight", [out])
        let beta = try read("\(bn).bias", [out])
        let mean = try read("\(bn).running_mean", [out])
        let variance = try read("\(bn).running_var", [out])
        guard source != nil else { return }
        // Folded where the checkpoint's tensor was read, and handed to the layer, which packs it and lets it
        // go: the checkpoint shrinks as the network grows. (Read, folded into a copy and packed, with the
        // whole checkpoint held to the end, `panoptes embed` of ResNet-50 at batch 1 peaked at 306 MB of
        // resident memory; taken and folded in place, at 228 MB.)
        var bias = [Float](repeating: 0, count: out)
        Conv2D.foldBatchNorm(weight: &w, bias: &bias, gamma: gamma, beta: beta, mean: mean, variance: variance,
                             epsilon: NetworkBuilder.batchNormEpsilon)
        var layer = Conv2D(outChannels: out, inChannels: inChannels, kernel: (kernel, kernel), stride: (stride, stride),
                           padding: (padding, padding), groups: groups, activation: activation,
                           weight: consume w, bias: bias, winograd: winograd)
        if !keepingPlainWeights { layer = layer.releasingPlainWeights() }
        steps.append(Network.Step(name: conv, operation: .convolution(layer, accumulate: accumulate), input: input, output: output))
    }

    /// Adds a pooling step.
    mutating func pool(_ name: String, _ pool: Pool2D, from input: Int, to output: Int) {
        steps.append(Network.Step(name: name, operation: .pool(pool), input: input, output: output))
    }

    /// The finished program, its result in `outputSlot`.
    func network(outputSlot: Int) -> Network {
        Network(inputChannels: inputChannels, steps: steps, outputSlot: outputSlot)
    }

    /// The first slot not in `used`.
    static func free(_ used: Int...) -> Int {
        (0..<Network.slotCount).first { !used.contains($0) }!
    }
}
