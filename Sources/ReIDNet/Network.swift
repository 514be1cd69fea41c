internal import LinearAlgebra

/// A feed-forward network as a straight program over a few activation slots.
///
/// Every step reads one slot and writes another (a residual block's last convolution adds into the
/// slot that holds its shortcut), so the whole network runs in ``slotCount`` activation buffers plus
/// one scratch buffer, all owned by a ``Workspace`` and reused across layers and calls.
public struct Network: Sendable {
    /// One layer of the program.
    struct Step: Sendable {
        /// What the step computes.
        enum Operation: Sendable {
            /// A convolution (bias and activation in its epilogue); when `accumulate`, the output slot
            /// already holds the residual and the result is added to it.
            case convolution(Conv2D, accumulate: Bool)
            /// A max or average pooling window.
            case pool(Pool2D)
        }

        /// The PyTorch name of the layer (for profiles and errors).
        var name: String
        var operation: Operation
        var input: Int
        var output: Int
    }

    /// Activation buffers a program may use; slot 0 receives the input batch.
    static let slotCount = 4

    /// Channels of the input images.
    let inputChannels: Int
    /// The program.
    let steps: [Step]
    /// The slot holding the final feature map.
    let outputSlot: Int
    /// Runs of steps that go image by image at batches that share well over the threads, by first step.
    let imageBlocks: [Int: ImageBlock]
    /// Whether the first step reads the input batch where the caller holds it, NCHW, instead of from a
    /// CNHW copy in slot 0: when it is a stem (whose kernel takes any image and channel strides) and no
    /// other step reads slot 0 before one writes it. (Without the copy MobileNetV2 ran 1-5% faster at batches
    /// 1 and 8 in alternating runs; ResNet-50 the same.)
    let readsInputInPlace: Bool
    /// The image blocks' plans for the sizes run so far (shared by copies of the network).
    let plans = ImageBlockPlans()

    /// The program `steps` over `inputChannels`-channel images, its result in `outputSlot`; with
    /// `imageBlocks` false, every step runs layer by layer whatever the batch.
    init(inputChannels: Int, steps: [Step], outputSlot: Int, imageBlocks: Bool = true) {
        self.inputChannels = inputChannels
        self.steps = steps
        self.outputSlot = outputSlot
        self.imageBlocks = imageBlocks ? Self.imageBlocks(of: steps, outputSlot: outputSlot) : [:]
        if let first = steps.first, first.input == 0, first.output != 0, case .convolution(let conv, accumulate: false) = first.operation {
            readsInputInPlace = conv.algorithm == .stem && Self.onlyFirstReadsInput(steps)
        } else {
            readsInputInPlace = false
        }
    }

    /// The shape `(channels, height, width)` of each slot after each step, for one input size.
    func shapes(height: Int, width: Int) -> [(channels: Int, height: Int, width: Int)] {
        var slots = [(channels: Int, height: Int, width: Int)](repeating: (0, 0, 0), count: Network.slotCount)
        slots[0] = (inputChannels, height, width)
        var result: [(channels: Int, height: Int, width: Int)] = []
        for step in steps {
            let s = slots[step.input]
            switch step.operation {
            case .convolution(let conv, _):
                let (oh, ow) = conv.outputSize(height: s.height, width: s.width)
                slots[step.output] = (conv.outChannels, oh, ow)
            case .pool(let pool):
                let (oh, ow) = pool.outputSize(height: s.height, width: s.width)
                slots[step.output] = (s.channels, oh, ow)
            }
            result.append(slots[step.output])
        }
        return result
    }

    /// The feature map's shape `(channels, height, width)` for an input of `height`×`width`.
    public func outputShape(height: Int, width: Int) -> (channels: Int, height: Int, width: Int) {
        shapes(height: height, width: width).last ?? (inputChannels, height, width)
    }

    /// Multiply-adds per image at this input size (FLOPs are twice this).
    public func multiplyAdds(height: Int, width: Int) -> Int {
        var total = 0
        var inputs = [(Int, Int)](repeating: (0, 0), count: Network.slotCount)
        inputs[0] = (height, width)
        for step in steps {
            let (h, w) = inputs[step.input]
            switch step.operation {
            case .convolution(let conv, _):
                total += conv.multiplyAdds(height: h, width: w)
                inputs[step.output] = conv.outputSize(height: h, width: w)
            case .pool(let pool):
                inputs[step.output] = pool.outputSize(height: h, width: w)
            }
        }
        return total
    }

    /// True when no step of `steps` after the first reads slot 0 before one overwrites it.
    private static func onlyFirstReadsInput(_ steps: [Step]) -> Bool {
        for step in steps.dropFirst() {
            if step.input == 0 { return false }
            if step.output == 0 {
                if case .convolution(_, accumulate: true) = step.operation { return false }
                return true
            }
        }
        return true
    }

    /// Floats each slot and the scratch buffer need for every batch of up to `batch` images of
    /// `height`×`width` (each slot sized for the largest map it ever holds), so that a workspace
    /// reserved for a batch never grows on a smaller one.
    ///
    /// Smaller batches can take other paths: an image block runs layer by layer when its pieces would be
    /// too thin, and then its inner maps need slots; blocks whose pieces split images trade buffers with
    /// the spare. Each run starts from the buffers as reserved (``Workspace/reserve(slots:scratch:)``
    /// gives back what the last run traded), so every buffer is sized for the largest map it holds in a
    /// run of any batch up to `batch`.
    ///
    /// An image block's inner maps live in its per-thread scratch, one image at a time: only its output
    /// takes a slot. (Sizing slots for them too held MobileNetV2's expanded maps for the whole batch:
    /// 102 MiB of workspace at batch 16, all of it written once at the first batch.)
    ///
    /// The last entry is the spare, for image blocks that add a residual in place while their pieces
    /// split images.
    func requirements(batch: Int, height: Int, width: Int) -> (slots: [Int], scratch: Int) {
        var slots = [Int](repeating: 0, count: Network.slotCount + 1)
        var scratch = 0
        for b in 1...batch {
            let need = requirements(ofBatch: b, height: height, width: width)
            for i in slots.indices { slots[i] = max(slots[i], need.slots[i]) }
            scratch = max(scratch, need.scratch)
        }
        return (slots, scratch)
    }

    /// The buffers and scratch that a batch of exactly `batch` images takes, each buffer (named by the
    /// slot it is reserved for, the spare last) sized for the largest map it holds while it trades places
    /// with the spare as ``run(batch:height:width:images:workspace:profile:)`` trades them.
    private func requirements(ofBatch batch: Int, height: Int, width: Int) -> (slots: [Int], scratch: Int) {
        var slots = [Int](repeating: 0, count: Network.slotCount + 1)
        let spare = Network.slotCount
        // The buffer each slot holds: its own until a block trades it for the spare's.
        var buffer = Array(0...spare)
        slots[0] = readsInputInPlace ? 0 : inputChannels * height * width * batch
        var scratch = 0
        var shapes = [(channels: Int, height: Int, width: Int)](repeating: (0, 0, 0), count: Network.slotCount)
        shapes[0] = (inputChannels, height, width)
        let blocks = imageBlocks(batch: batch, height: height, width: width)
        var block: ImageBlock?  // the last block begun
        var blockInput = (height: 0, width: 0)  // its input's size
        for (index, step) in steps.enumerated() {
            let s = shapes[step.input]
            if let first = blocks[index] {
                scratch = max(scratch, GEMM.threadCount * imageBlockScratch(first, height: s.height, width: s.width))
                block = first
                blockInput = (s.height, s.width)
            }
            let blockSteps = block?.steps ?? 0..<0
            let inner = blockSteps.contains(index) && index != blockSteps.last
            switch step.operation {
            case .convolution(let conv, _):
                let (oh, ow) = conv.outputSize(height: s.height, width: s.width)
                shapes[step.output] = (conv.outChannels, oh, ow)
                if !blockSteps.contains(index) {
                    scratch = max(scratch, conv.scratchCount(batch: batch, height: s.height, width: s.width))
                }
            case .pool(let pool):
                let (oh, ow) = pool.outputSize(height: s.height, width: s.width)
                shapes[step.output] = (s.channels, oh, ow)
            }
            let o = shapes[step.output]
            let floats = o.channels * o.height * o.width * batch
            if !inner { slots[buffer[step.output]] = max(slots[buffer[step.output]], floats) }
            if let block, index == blockSteps.last, writesSpare(block, batch: batch, height: blockInput.height, width: blockInput.width) {
                // The block wrote its output into the spare's buffer, which becomes the output slot's.
                slots[buffer[spare]] = max(slots[buffer[spare]], floats)
                buffer.swapAt(step.output, spare)
            }
        }
        return (slots, scratch)
    }

    /// Runs the program on `batch` images: `images` (NCHW) where ``readsInputInPlace``, else the CNHW
    /// copy already in slot 0 of `workspace`.
    ///
    /// - Parameter profile: if given, called after each step with its name and seconds.
    /// - Returns: the final map's shape; its values are in `workspace.slot(outputSlot)`.
    func run(
        batch: Int, height: Int, width: Int, images: UnsafePointer<Float>?, workspace: Workspace,
        profile: ((String, Double) -> Void)? = nil
    ) -> (channels: Int, height: Int, width: Int) {
        precondition((images != nil) == readsInputInPlace, "Network.run: the input batch given in place only for a stem")
        var shapes = [(channels: Int, height: Int, width: Int)](repeating: (0, 0, 0), count: Network.slotCount)
        shapes[0] = (inputChannels, height, width)
        let scratch = workspace.scratch
        let blocks = imageBlocks(batch: batch, height: height, width: width)
        var index = 0
        while index < steps.count {
            let start = profile == nil ? 0 : MonotonicClock.seconds()
            if let block = blocks[index] {
                let s = shapes[steps[index].input]
                let output = steps[block.steps.last!].output
                // A stem's block reads the caller's NCHW images where they are (``readsInputInPlace``), others a CNHW slot.
                let input: UnsafePointer<Float>, inputStrides: (image: Int, channel: Int)
                if index == 0, let images {
                    (input, inputStrides) = (images, (inputChannels * height * width, height * width))
                } else {
                    (input, inputStrides) = (UnsafePointer(workspace.slot(steps[index].input)), (s.height * s.width, batch * s.height * s.width))
                }
                // The intermediate slots are left as they were: no later step reads them.
                let (shape, spared) = run(block, input: input, inputStrides: inputStrides, output: workspace.slot(output),
                                          spare: workspace.spare, batch: batch, height: s.height, width: s.width, scratch: scratch)
                if spared { workspace.swapSpare(withSlot: output) }
                shapes[output] = shape
                if let profile { profile(block.name, MonotonicClock.seconds() - start) }
                index = block.steps.upperBound
                continue
            }
            let step = steps[index]
            // The caller's NCHW images, for the first step only (``readsInputInPlace``; slot 0 may be reused later).
            let images = index == 0 ? images : nil
            index += 1
            let s = shapes[step.input]
            let input = UnsafePointer(workspace.slot(step.input))
            let output = workspace.slot(step.output)
            switch step.operation {
            case .convolution(let conv, let accumulate):
                precondition(conv.inChannels == s.channels, "\(step.name): expects \(conv.inChannels) channels, got \(s.channels)")
                let (oh, ow) = conv.outputSize(height: s.height, width: s.width)
                if accumulate {
                    let r = shapes[step.output]
                    precondition(r == (conv.outChannels, oh, ow), "\(step.name): residual shape \(r) differs from output")
                }
                if let images, index < steps.count, case .pool(let pool) = steps[index].operation,
                   steps[index].input == step.output, pool.runsStemKernel {
                    // The stem and the max pooling after it, a few images at a time.
                    let poolStep = steps[index]
                    index += 1
                    let seconds = runStem(conv, accumulate: accumulate, thenPool: pool, images: images, output: output,
                                          pooled: workspace.slot(poolStep.output), batch: batch, height: height, width: width,
                                          timed: profile != nil)
                    shapes[step.output] = (conv.outChannels, oh, ow)
                    let (ph, pw) = pool.outputSize(height: oh, width: ow)
                    shapes[poolStep.output] = (conv.outChannels, ph, pw)
                    if let profile {
                        profile(step.name, seconds.stem)
                        profile(poolStep.name, seconds.pool)
                    }
                    continue
                }
                if let images {
                    // The stem, on the caller's NCHW images.
                    conv.stemForward(input: images, imageStride: inputChannels * height * width, channelStride: height * width,
                                     output: output, batch: batch, height: height, width: width, accumulate: accumulate)
                } else {
                    conv.forward(input: input, output: output, batch: batch, height: s.height, width: s.width,
                                 accumulate: accumulate, scratch: scratch)
                }
                shapes[step.output] = (conv.outChannels, oh, ow)
            case .pool(let pool):
                pool.forward(input: input, output: output, planes: s.channels * batch, height: s.height, width: s.width)
                let (oh, ow) = pool.outputSize(height: s.height, width: s.width)
                shapes[step.output] = (s.channels, oh, ow)
            }
            if let profile { profile(step.name, MonotonicClock.seconds() - start) }
        }
        return shapes[outputSlot]
    }
}

extension Network {
    /// Images pooled by ``runStem(_:accumulate:thenPool:images:output:pooled:batch:height:width:timed:)`` right
    /// after their stem output is written.
    static let stemPoolImages = 2

    /// A stem on the caller's NCHW `images` into `output` (CNHW), and the 3x3 stride-2 max pooling of its
    /// output into `pooled`, ``stemPoolImages`` images at a time: each group's stem output (4 MB at
    /// 256x128) is pooled while still in cache, where the pooling used to read the whole batch's back from
    /// memory (17 MB at batch 8). ResNet-50 at batch 8 took 0.7-1.2% less time (256x128 and 384x128;
    /// alternating in-process runs, 16-20 turns, outputs identical), batch 1 within noise; one image at a
    /// time 0.5-0.8%.
    /// - Returns: the seconds spent in each (zero unless `timed`).
    func runStem(
        _ conv: Conv2D, accumulate: Bool, thenPool pool: Pool2D, images: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, pooled: UnsafeMutablePointer<Float>, batch: Int, height: Int, width: Int, timed: Bool
    ) -> (stem: Double, pool: Double) {
        let (oh, ow) = conv.outputSize(height: height, width: width)
        var seconds = (stem: 0.0, pool: 0.0)
        for first in stride(from: 0, to: batch, by: Self.stemPoolImages) {
            let group = first..<min(batch, first + Self.stemPoolImages)
            let start = timed ? MonotonicClock.seconds() : 0
            conv.stemForward(input: images, imageStride: inputChannels * height * width, channelStride: height * width,
                             output: output, batch: batch, height: height, width: width, accumulate: accumulate, images: group)
            let stemEnd = timed ? MonotonicClock.seconds() : 0
            pool.forward(images: group, of: batch, channels: conv.outChannels, input: output, output: pooled,
                         height: oh, width: ow)
            if timed {
                seconds.stem += stemEnd - start
                seconds.pool += MonotonicClock.seconds() - stemEnd
            }
        }
        return seconds
    }

    /// The same network with every step run layer by layer whatever the batch (a reference for tests).
    func withoutImageBlocks() -> Network {
        Network(inputChannels: inputChannels, steps: steps, outputSlot: outputSlot, imageBlocks: false)
    }

    /// The names of the program's steps, in order.
    public var stepNames: [String] { steps.map(\.name) }
}
