internal import CKernels
internal import LinearAlgebra

/// A max or average pooling window slid over every plane of a CNHW batch.
public struct Pool2D: Sendable {
    /// What the window computes.
    public enum Kind: Sendable {
        /// The largest value (padding never wins: it counts as −∞).
        case max
        /// The mean of the values inside the image (padding is not counted).
        case average
    }

    /// Max or average.
    public let kind: Kind
    /// Window rows and columns.
    public let kernel: (height: Int, width: Int)
    /// Steps between windows.
    public let stride: (y: Int, x: Int)
    /// Rows / columns of padding on each side.
    public let padding: (y: Int, x: Int)

    /// Creates a pooling layer.
    public init(_ kind: Kind, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int) = (0, 0)) {
        precondition(kernel.0 > 0 && kernel.1 > 0 && stride.0 > 0 && stride.1 > 0 && padding.0 >= 0 && padding.1 >= 0,
                     "Pool2D: kernel and stride must be positive, padding not negative")
        self.kind = kind
        self.kernel = (kernel.0, kernel.1)
        self.stride = (stride.0, stride.1)
        self.padding = (padding.0, padding.1)
    }

    /// The output's spatial size for an input of `height`×`width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + 2 * padding.y - kernel.height) / stride.y + 1, (width + 2 * padding.x - kernel.width) / stride.x + 1)
    }

    /// Whether ``forward(input:output:planes:height:width:)`` runs CKernels' 3x3 stride-2 max pooling.
    var runsStemKernel: Bool {
        kind == .max && kernel == (3, 3) && stride == (2, 2) && padding == (1, 1) && GEMM.hasPackedKernel
    }

    /// Pools the `channels` planes of each image in `images` of a CNHW batch of `batch` (plane c · batch +
    /// image) with CKernels' kernel (``runsStemKernel``).
    func forward(images: Range<Int>, of batch: Int, channels: Int, input: UnsafePointer<Float>,
                 output: UnsafeMutablePointer<Float>, height: Int, width: Int) {
        precondition(runsStemKernel, "Pool2D.forward(images:): only the 3x3 stride-2 max pooling runs image by image")
        poolPlanes(channels * images.count, input: input, output: output, height: height, width: width) { item in
            (item / images.count) * batch + images.lowerBound + item % images.count
        }
    }

    /// CKernels' 3x3 stride-2 max pooling (eight outputs at a time) of `count` planes, the i-th being plane
    /// `plane(i)` of `input` and of `output`, shared among the compute threads.
    private func poolPlanes(_ count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, height: Int,
                            width: Int, plane: (Int) -> Int) {
        let (oh, ow) = outputSize(height: height, width: width)
        precondition(oh > 0 && ow > 0, "Pool2D: input \(height)x\(width) too small for its window")
        ParallelFor.run(count, minimumPerThread: max(1, 16384 / (oh * ow))) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: ck_maxpool3x3s2_scratch(Int32(width))) { buffer in
                for i in range {
                    let p = plane(i)
                    ck_maxpool3x3s2(input + p * height * width, output + p * oh * ow, 1, Int32(height), Int32(width),
                                    buffer.baseAddress!)
                }
            }
        }
    }

    /// Pools `planes` planes of `height`×`width` from `input` into `output`.
    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, planes: Int, height: Int, width: Int) {
        let (oh, ow) = outputSize(height: height, width: width)
        precondition(oh > 0 && ow > 0, "Pool2D: input \(height)x\(width) too small for its window")
        if runsStemKernel {
            // ResNet's stem pooling.
            poolPlanes(planes, input: input, output: output, height: height, width: width) { $0 }
            return
        }
        ParallelFor.run(planes, minimumPerThread: max(1, 16384 / (oh * ow))) { range in
            for p in range {
                let src = input + p * height * width
                let dst = output + p * oh * ow
                for oy in 0..<oh {
                    let y0 = max(0, oy * stride.y - padding.y), y1 = min(height, oy * stride.y - padding.y + kernel.height)
                    for ox in 0..<ow {
                        let x0 = max(0, ox * stride.x - padding.x), x1 = min(width, ox * stride.x - padding.x + kernel.width)
                        switch kind {
                        case .max:
                            var best = -Float.infinity
                            for y in y0..<y1 { for x in x0..<x1 { best = Swift.max(best, src[y * width + x]) } }
                            dst[oy * ow + ox] = best
                        case .average:
                            var sum: Float = 0
                            for y in y0..<y1 { for x in x0..<x1 { sum += src[y * width + x] } }
                            dst[oy * ow + ox] = sum / Float((y1 - y0) * (x1 - x0))
                        }
                    }
                }
            }
        }
    }
}
