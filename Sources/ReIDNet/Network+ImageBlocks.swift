internal import CKernels
internal import LinearAlgebra
import Synchronization

/// A run of convolutions that goes image by image instead of layer by layer: an optional 1x1
/// expansion, a 3x3 depthwise convolution and a 1x1 projection, MobileNetV2's inverted residual; or the
/// network's stem followed by the first residual's depthwise layer and projection.
///
/// Layer by layer, an early block's expanded map (96 or 144 channels at 128x64 or 64x32) is written
/// for the whole batch and read back by the depthwise layer: up to 25 MiB at batch 8, through main
/// memory. Image by image, each thread takes whole images (or, at batch 1, a band of an image's rows)
/// and keeps one image's intermediate maps (at most 3 MiB) in its own scratch, where they stay in cache.
///
/// The outputs are bit for bit those of the layers run one by one: the packed product computes each
/// column the same way however many columns it has, and the depthwise kernel computes each output from
/// its nine taps in the same order whatever plane it is part of (a band's rows, with the rows past it
/// that its taps read).
struct ImageBlock: Sendable, Equatable {
    /// The program steps it runs, consecutive, each reading the previous one's output.
    let steps: Range<Int>
    /// The name in profiles: the first step's name, then the last name component of each other step
    /// (`features.2.conv.0+3+6`).
    let name: String
}

/// What ``Network``'s image blocks work out from the batch and input sizes alone, kept per size: which
/// blocks run at a batch and input size, and each block's layers, their sizes and its scratch layout. A
/// stream of batches is mostly of one size; worked out again for every batch (copying each layer's
/// arrays' references over and over), they took 40 µs of MobileNetV2's 2 ms at batch 1, on the calling
/// thread while the other compute thread waited (the calling thread's time outside the parallel
/// regions, median of 400 batches: 101-108 µs, 61 µs with the plans kept). MobileNetV2 at batch 1 ran
/// 1.6-2.8% faster in alternating in-process runs, the embeddings bit for bit the same.
final class ImageBlockPlans: Sendable {
    /// One block's plan at one input size.
    struct Block: Sendable {
        let convs: [Conv2D]
        let sizes: [(height: Int, width: Int)]
        let layout: (maps: [Int], depthwise: Int, panel: Int, floats: Int)
        let tiled: Bool
        /// The most output rows of an image a thread runs the block's layers on at once
        /// (``Network/bandRows(_:_:)``); the image's height when it runs whole.
        let bandRows: Int
    }

    private struct BatchSize: Hashable {
        let batch: Int, height: Int, width: Int
    }

    private struct BlockInput: Hashable {
        let firstStep: Int, height: Int, width: Int
    }

    /// Plans kept in each table; past that a table starts again (a caller whose sizes never repeat).
    static let capacity = 64

    private let blocksBySize = Mutex<[BatchSize: [Int: ImageBlock]]>([:])
    private let blockPlans = Mutex<[BlockInput: Block]>([:])

    init() {}

    /// The blocks that run at `batch` on `height`×`width` input: kept, or `workedOut()` and kept.
    func blocks(batch: Int, height: Int, width: Int, _ workedOut: () -> [Int: ImageBlock]) -> [Int: ImageBlock] {
        Self.kept(BatchSize(batch: batch, height: height, width: width), in: blocksBySize, workedOut)
    }

    /// The plan of the block whose first step is `firstStep`, on `height`×`width` input (the same at
    /// every batch): kept, or `workedOut()` and kept.
    func block(startingAt firstStep: Int, height: Int, width: Int, _ workedOut: () -> Block) -> Block {
        Self.kept(BlockInput(firstStep: firstStep, height: height, width: width), in: blockPlans, workedOut)
    }

    private static func kept<Key: Hashable & Sendable, Value: Sendable>(
        _ key: Key, in table: borrowing Mutex<[Key: Value]>, _ workedOut: () -> Value
    ) -> Value {
        if let value = table.withLock({ $0[key] }) { return value }
        let value = workedOut()
        table.withLock { table in
            if table.count >= capacity { table.removeAll() }
            table[key] = value
        }
        return value
    }
}

extension Network {
    /// The image blocks of `steps`, keyed by their first step: every expansion (optional) → depthwise →
    /// projection whose intermediate maps no later step reads, and a first step that is a stem in place
    /// of the expansion. None without the vector kernels: the portable path runs OpenBLAS per layer.
    ///
    /// With the stem, the stem's map (MobileNetV2's largest: 32 channels at 128x64, 16 MiB at batch 16)
    /// stays in the threads' scratch too, so the workspace holds no batch-wide copy of it.
    static func imageBlocks(of steps: [Step], outputSlot: Int) -> [Int: ImageBlock] {
        guard Conv2D.vectorKernels else { return [:] }
        func conv(_ i: Int) -> (Conv2D, accumulate: Bool)? {
            guard i < steps.count, case .convolution(let c, let accumulate) = steps[i].operation else { return nil }
            return (c, accumulate)
        }
        func pointwise(_ i: Int) -> Bool {
            guard let (c, accumulate) = conv(i) else { return false }
            return c.algorithm == .pointwise && c.packedWeight != nil && !accumulate
        }
        func stem(_ i: Int) -> Bool {
            guard i == 0, let (c, accumulate) = conv(i) else { return false }
            return c.algorithm == .stem && !accumulate
        }
        func depthwise(_ i: Int) -> Bool {
            guard let (c, accumulate) = conv(i) else { return false }
            return c.algorithm == .depthwise && c.runsDepthwiseKernel && !accumulate
        }
        /// True when no step after `end` reads `slot` before one overwrites it (and it is not the result).
        func deadAfter(_ slot: Int, _ end: Int) -> Bool {
            for step in steps[end...] {
                if step.input == slot { return false }
                if step.output == slot {
                    if case .convolution(_, accumulate: true) = step.operation { return false }
                    return true
                }
            }
            return slot != outputSlot
        }
        var blocks: [Int: ImageBlock] = [:]
        var i = 0
        while i < steps.count {
            let start = i
            let dw = (pointwise(i) || stem(i)) && depthwise(i + 1) ? i + 1 : i
            guard depthwise(dw), let (last, _) = conv(dw + 1), last.algorithm == .pointwise, last.packedWeight != nil else {
                i += 1
                continue
            }
            let range = start..<(dw + 2)
            let chained = range.dropFirst().allSatisfy { steps[$0].input == steps[$0 - 1].output }
            let intermediates = range.dropLast().map { steps[$0].output }
            let first = steps[start].input, result = steps[dw + 1].output
            guard chained, Set(intermediates).count == intermediates.count,
                  !intermediates.contains(first), !intermediates.contains(result),
                  intermediates.allSatisfy({ deadAfter($0, range.upperBound) }) else {
                i += 1
                continue
            }
            let names = range.map { steps[$0].name }
            // `features.2.conv.0+3+6`; with the stem, `features.0.0+features.1.conv.0+3`.
            func joined(_ names: ArraySlice<String>) -> String {
                let prefix = names.first!.split(separator: ".").dropLast().joined(separator: ".")
                let shared = names.allSatisfy { $0.split(separator: ".").dropLast().joined(separator: ".") == prefix }
                return shared ? names.first! + names.dropFirst().map { "+" + ($0.split(separator: ".").last.map(String.init) ?? $0) }.joined()
                              : names.joined(separator: "+")
            }
            let name = stem(start) ? names[0] + "+" + joined(names.dropFirst()) : joined(names[...])
            blocks[start] = ImageBlock(steps: range, name: name)
            i = range.upperBound
        }
        return blocks
    }

    /// Output rows each thread's piece of a block must hold for the block to run image by image. A piece
    /// that is part of an image recomputes the rows its depthwise layer reads past the piece (one or
    /// two), and every thread streams all of the block's weights; layer by layer, each product splits its
    /// weights' rows among the threads instead. On MobileNetV2's 8x4 and 12x4 maps at batch 1 (4 and 6
    /// rows a thread), layer by layer took 2.7-2.9% less of the whole embedding than bands; its 16- and
    /// 24-row maps (8 and 12 rows a thread) run faster in bands.
    static let minimumPieceRows = 8

    /// Whether a block whose output maps have `outputHeight` rows runs image by image at `batch`: when
    /// the threads' pieces of the batch's output rows are each at least ``minimumPieceRows`` rows; else
    /// (MobileNetV2's last maps at batch 1, say) the layers one by one share each layer's work.
    static func runsImageBlock(batch: Int, outputHeight: Int) -> Bool {
        batch * outputHeight >= minimumPieceRows * GEMM.threadCount
    }

    /// The image blocks that run at `batch` on a `height`×`width` input, keyed by their first step
    /// (worked out once per size: ``ImageBlockPlans``).
    func imageBlocks(batch: Int, height: Int, width: Int) -> [Int: ImageBlock] {
        guard !imageBlocks.isEmpty else { return [:] }
        return plans.blocks(batch: batch, height: height, width: width) {
            imageBlocksWorkedOut(batch: batch, height: height, width: width)
        }
    }

    /// ``imageBlocks(batch:height:width:)`` worked out afresh.
    func imageBlocksWorkedOut(batch: Int, height: Int, width: Int) -> [Int: ImageBlock] {
        let shapes = shapes(height: height, width: width)
        return imageBlocks.filter { Self.runsImageBlock(batch: batch, outputHeight: shapes[$0.value.steps.last!].height) }
    }

    /// The convolutions of `block`, and the input size of each followed by the block's output size.
    private func layers(of block: ImageBlock, height: Int, width: Int) -> (convs: [Conv2D], sizes: [(height: Int, width: Int)]) {
        var convs: [Conv2D] = []
        var sizes = [(height: height, width: width)]
        for i in block.steps {
            guard case .convolution(let conv, _) = steps[i].operation else { preconditionFailure("image block over a pooling") }
            convs.append(conv)
            let (h, w) = sizes[sizes.count - 1]
            sizes.append(conv.outputSize(height: h, width: w))
        }
        return (convs, sizes)
    }

    /// Where one thread's scratch for a block (its `convs` on `sizes`, ``layers(of:height:width:)``; `tiled`:
    /// ``passesTiles(_:_:)``) puts, in floats from its 64-byte aligned start, each intermediate map of one
    /// image, the depthwise kernel's rows and the products' copied block; and the floats it takes in all,
    /// with room to align its start.
    private static func scratchLayout(_ convs: [Conv2D], _ sizes: [(height: Int, width: Int)], tiled: Bool, bandRows: Int)
        -> (maps: [Int], depthwise: Int, panel: Int, floats: Int) {
        func aligned(_ floats: Int) -> Int { (floats + 15) / 16 * 16 }
        let rows = mostRows(convs, sizes, bandRows: bandRows)
        var maps: [Int] = [], offset = 0
        for i in 0..<(convs.count - 1) {
            maps.append(offset)
            let pixels = rows.output[i] * sizes[i + 1].width
            // The map the last product reads in tiles takes whole tiles.
            offset += aligned(convs[i].outChannels * (tiled && i == convs.count - 2 ? aligned(pixels) : pixels))
        }
        let depthwise = offset
        for (i, conv) in convs.enumerated() where conv.algorithm == .depthwise {
            offset += aligned(conv.depthwiseScratchCount(height: rows.input[i], width: sizes[i].width))
        }
        let panel = offset
        // Not monotonic in the depth: shallower products copy wider blocks. A stem's split input rows go
        // there too.
        let panels = convs.filter { $0.algorithm == .pointwise }.map { ck_sgemm_panel_count(Int32($0.inChannels)) }
        let stems = convs.indices.filter { convs[$0].algorithm == .stem }.map { convs[$0].stemScratchCount(width: sizes[$0].width) }
        offset += aligned((panels + stems).max() ?? 0)
        return (maps, depthwise, panel, offset + 16)
    }

    /// Whether the block's depthwise layer writes its output straight into the 16-column tiles that its
    /// projection multiplies by (`ck_sgemm_packed_tiles`), only the rows the projection reads, so the
    /// projection copies nothing: when the depthwise output rows are whole blocks of eight (every
    /// MobileNetV2 map of 8 or more columns at 256x128 and 384x128). The same bits; in alternating
    /// in-process runs on two Zen 4 cores, MobileNetV2 took 1.9% less time at batch 1 and 1.8-2.7% less
    /// at batch 8 (the copies were about 4% of batch 1's samples).
    /// (`convs`, `sizes`: ``layers(of:height:width:)``.)
    private static func passesTiles(_ convs: [Conv2D], _ sizes: [(height: Int, width: Int)]) -> Bool {
        let i = convs.count - 2
        return i >= 0 && convs[i].algorithm == .depthwise && sizes[i + 1].width % 8 == 0
            && !convs[i].runsInChannelLanes(height: sizes[i].height, width: sizes[i].width, accumulate: false)
    }

    /// The most rows each layer of a block reads (`input`) and writes (`output`) for any band of at most
    /// `bandRows` output rows of an image, as ``run(_:input:inputStrides:output:spare:batch:height:width:scratch:)``
    /// works them out (a band's layers also compute the rows its depthwise layer reads past it).
    private static func mostRows(_ convs: [Conv2D], _ sizes: [(height: Int, width: Int)], bandRows: Int)
        -> (input: [Int], output: [Int]) {
        let height = sizes[sizes.count - 1].height
        var input = [Int](repeating: 0, count: convs.count), output = input
        for first in 0..<height {
            var rows = first..<min(height, first + bandRows)
            for i in convs.indices.reversed() {
                output[i] = max(output[i], convs[i].outputRows(ofInputRows: convs[i].inputRows(for: rows, inputHeight: sizes[i].height)).count)
                rows = convs[i].inputRows(for: rows, inputHeight: sizes[i].height)
                input[i] = max(input[i], rows.count)
            }
        }
        return (input, output)
    }

    /// The most bytes of a block's inner maps that one thread keeps for one band of an image's rows: a
    /// block whose inner maps for a whole image take more runs each image in bands of fewer rows, so that
    /// each map is still in cache when the next layer reads it.
    ///
    /// Whole images, MobileNetV2's first four blocks at 256x128 kept up to 4 MiB a thread (features.2's
    /// 96 channels expanded at 128x64), which each layer wrote and the next read back from memory. In
    /// bands (32 rows of features.1's 128, 16 of features.2's, .3's and .4's), the workspace's scratch
    /// fell from 8.5 to 2.7 MB, and in alternating in-process runs (30 turns, the embeddings bit for bit
    /// the same) MobileNetV2 ran 6.2% faster at batch 16, 3.9% at batch 1 on 256x128 and 12% at batch
    /// 1 on 384x128. Budgets of 768 KiB and 1.5 MiB did about as well, 256 and 512 KiB worse (more
    /// recomputed rows past the bands, more calls).
    static let bandBytes = 1 << 20

    /// The output rows of an image that one thread runs a block's layers on at once: halved from the
    /// whole height while the inner maps of a band take more than ``bandBytes`` and the bands keep at
    /// least ``minimumPieceRows`` rows. (`convs`, `sizes`: ``layers(of:height:width:)``.)
    static func bandRows(_ convs: [Conv2D], _ sizes: [(height: Int, width: Int)]) -> Int {
        func bytes(_ rows: Int) -> Int {
            let most = mostRows(convs, sizes, bandRows: rows).output
            return (0..<(convs.count - 1)).reduce(0) { $0 + convs[$1].outChannels * most[$1] * sizes[$1 + 1].width * MemoryLayout<Float>.stride }
        }
        var rows = sizes[sizes.count - 1].height
        while rows / 2 >= minimumPieceRows && bytes(rows) > bandBytes { rows /= 2 }
        return rows
    }

    /// Scratch floats one thread needs for `block` on `height`×`width` input.
    func imageBlockScratch(_ block: ImageBlock, height: Int, width: Int) -> Int {
        plan(of: block, height: height, width: width).layout.floats
    }

    /// `block`'s layers on `height`×`width` input, their sizes, one thread's scratch layout and whether
    /// the projection reads tiles (worked out once per size: ``ImageBlockPlans``).
    func plan(of block: ImageBlock, height: Int, width: Int) -> ImageBlockPlans.Block {
        func workedOut() -> ImageBlockPlans.Block {
            let (convs, sizes) = layers(of: block, height: height, width: width)
            let tiled = Self.passesTiles(convs, sizes)
            let bandRows = Self.bandRows(convs, sizes)
            return ImageBlockPlans.Block(convs: convs, sizes: sizes, layout: Self.scratchLayout(convs, sizes, tiled: tiled, bandRows: bandRows),
                                         tiled: tiled, bandRows: bandRows)
        }
        return plans.block(startingAt: block.steps.lowerBound, height: height, width: width, workedOut)
    }

    /// The batch's output rows, image after image, cut into one contiguous piece per thread.
    private static func piece(_ thread: Int, rows: Int) -> Range<Int> {
        (rows * thread / GEMM.threadCount)..<(rows * (thread + 1) / GEMM.threadCount)
    }

    /// Whether `block` at `batch` on `height`×`width` input writes its output into the workspace's spare
    /// instead of its output slot: when it adds a residual held in the slot it reads (its output goes over
    /// its input) and it runs images in bands (``bandRows(_:_:)``) or the threads' pieces cut images into
    /// bands. A band reads input rows past its own, which the band next to it would already have
    /// overwritten.
    func writesSpare(_ block: ImageBlock, batch: Int, height: Int, width: Int) -> Bool {
        let last = steps[block.steps.last!]
        guard case .convolution(_, accumulate: true) = last.operation, steps[block.steps.first!].input == last.output else {
            return false
        }
        let plan = plan(of: block, height: height, width: width)
        let outputHeight = plan.sizes[plan.sizes.count - 1].height
        return plan.bandRows < outputHeight
            || (0..<GEMM.threadCount).contains { Self.piece($0, rows: batch * outputHeight).lowerBound % outputHeight != 0 }
    }

    /// Runs `block` on a CNHW batch: the batch's output rows, image after image, are cut into one
    /// contiguous piece per thread, and each thread runs every layer of the block on one image's part of
    /// its piece before the next, then takes the last parts of the others' pieces that are not started.
    /// At batches the threads share evenly the pieces are whole images; at batch 1 each thread takes a
    /// band of the image's rows. A block whose inner maps for a whole image would take more than
    /// ``bandBytes`` cuts each image's part further, into bands of at most ``bandRows(_:_:)`` rows. A
    /// band's first layers also compute the rows that its depthwise layer reads past the band.
    ///
    /// - Parameters:
    ///   - input: the first layer's input: channel c of image n at `input + n · inputStrides.image + c ·
    ///     inputStrides.channel` (a CNHW slot, or the caller's NCHW images for a stem).
    ///   - output: the last layer's output, `[channels][batch][oh][ow]`, holding the residual when the last
    ///     layer accumulates.
    ///   - spare: where the output goes instead when ``writesSpare(_:batch:height:width:)``: each
    ///     thread first copies its piece's residual there, and nothing writes over the input.
    ///   - scratch: `GEMM.threadCount × imageBlockScratch` floats.
    /// - Returns: the output's shape, and whether it is in `spare` (then the caller makes `spare` the
    ///   output slot's buffer).
    func run(
        _ block: ImageBlock, input: UnsafePointer<Float>, inputStrides: (image: Int, channel: Int),
        output: UnsafeMutablePointer<Float>, spare: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, scratch: UnsafeMutablePointer<Float>
    ) -> (shape: (channels: Int, height: Int, width: Int), spared: Bool) {
        let plan = plan(of: block, height: height, width: width)
        let (convs, sizes, layout, tiled) = (plan.convs, plan.sizes, plan.layout, plan.tiled)
        guard case .convolution(_, let accumulate) = steps[block.steps.last!].operation else { preconditionFailure("image block over a pooling") }
        precondition(convs[convs.count - 1].algorithm == .pointwise, "image block ending in a \(convs[convs.count - 1].algorithm) layer")
        let (oh, ow) = sizes[sizes.count - 1]
        let threads = GEMM.threadCount, rows = batch * oh
        let outChannels = convs[convs.count - 1].outChannels, plane = batch * oh * ow
        /// Where thread `thread`'s scratch starts, on a 64-byte boundary.
        func base(_ thread: Int) -> UnsafeMutablePointer<Float> { (scratch + thread * layout.floats).onCacheLine }
        // A residual block writes its output over its input, unless its pieces cut images into bands (at
        // batch 1): then into the spare, so no band overwrites rows a neighbouring band still reads. (Bands
        // used to wait in per-thread slots and be copied back by the calling thread alone while the other
        // threads idled: MobileNetV2 at batch 1 ran 5% faster without that copy.)
        let spared = writesSpare(block, batch: batch, height: height, width: width)
        precondition(!spared || UnsafeRawPointer(input) == UnsafeRawPointer(output), "image block: a spare for a block not in place")
        let destination = spared ? spare : output
        /// Thread `thread`'s piece of the batch's output rows, as (image, band of at most `plan.bandRows`
        /// of its rows) pairs.
        func pieces(_ thread: Int) -> [(image: Int, band: Range<Int>)] {
            let piece = Self.piece(thread, rows: rows)
            guard !piece.isEmpty else { return [] }
            let images = (piece.lowerBound / oh)...((piece.upperBound - 1) / oh)
            return images.flatMap { image in
                let rows = max(piece.lowerBound - image * oh, 0)..<min(piece.upperBound - image * oh, oh)
                return stride(from: rows.lowerBound, to: rows.upperBound, by: plan.bandRows).map {
                    (image, $0..<min($0 + plan.bandRows, rows.upperBound))
                }
            }
        }
        /// Thread `thread` runs `forEachUnit`'s (image, band) pairs one after another in its own scratch.
        func runUnits(_ thread: Int, _ forEachUnit: (_ unit: (Int, Range<Int>) -> Void) -> Void) {
            let base = base(thread)
            let maps = layout.maps.map { base + $0 }
            let depthwiseRows = base + layout.depthwise, panel = base + layout.panel
            var previousInputRows: [Range<Int>] = []
            forEachUnit { image, band in
                // The input rows each layer reads, from the last layer's band back to the first's input.
                var inputRows = [Range<Int>](repeating: band, count: convs.count)
                var rowsNeeded = band
                for i in convs.indices.reversed() {
                    rowsNeeded = convs[i].inputRows(for: rowsNeeded, inputHeight: sizes[i].height)
                    inputRows[i] = rowsNeeded
                }
                // The depthwise kernel's bordered rows stay as it left them only for planes of one size.
                let fresh = inputRows.map(\.count) != previousInputRows.map(\.count)
                previousInputRows = inputRows
                var source = input + image * inputStrides.image
                var sourceStride = inputStrides.channel, sourceRows = 0..<height
                for (i, conv) in convs.enumerated() {
                    let computed = conv.outputRows(ofInputRows: inputRows[i])
                    let last = i == convs.count - 1
                    let (target, targetStride) = last ? (destination + image * oh * ow + band.lowerBound * ow, plane)
                                                      : (maps[i], computed.count * sizes[i + 1].width)
                    if last {
                        precondition(computed == band, "image block: the last layer computes rows \(computed), not \(band)")
                        if spared {
                            // The band's residual, from the input, where its output goes.
                            for c in 0..<outChannels {
                                (target + c * plane).update(from: output + c * plane + image * oh * ow + band.lowerBound * ow,
                                                            count: band.count * ow)
                            }
                        }
                    }
                    // In tiles, the map the projection reads holds only the rows it reads.
                    let tileRows = tiled && i == convs.count - 2
                        ? (inputRows[i + 1].lowerBound - computed.lowerBound)..<(inputRows[i + 1].upperBound - computed.lowerBound) : nil
                    let skipped = tiled && last ? 0 : (inputRows[i].lowerBound - sourceRows.lowerBound) * sizes[i].width
                    conv.forwardImage(input: source + skipped,
                                      inputStride: sourceStride, output: target, outputStride: targetStride,
                                      height: inputRows[i].count, width: sizes[i].width, accumulate: last && accumulate,
                                      depthwiseScratch: depthwiseRows, freshScratch: fresh, panelScratch: panel,
                                      inputTiles: tiled && last, outputTileRows: tileRows)
                    source = UnsafePointer(target)
                    sourceStride = targetStride
                    sourceRows = computed
                }
            }
        }
        // Every thread's pieces, as (image, band) units, shared (``WorkerPool/runShared(_:items:grain:_:)``):
        // each thread starts on its own, and one done early takes the others' last units, so a thread on
        // a slowed core does not hold the block up. Split evenly in advance, the calling thread of
        // MobileNetV2 at 256x128 batch 16 waited for the other 2.7% of each block's time in a quiet spell
        // and 20% in a noisy one (the other vCPU slowed by the host). Shared, batch 16 took 1.2-10% less
        // time, batch 8 1-11%; batch 1 (fewer units: the first blocks' bands) and a quiet spell within
        // noise (alternating in-process runs, 20-30 turns, Zen 3 guest, outputs the same bit for bit).
        // Which thread runs a unit changes nothing in it.
        let units = (0..<threads).flatMap(pieces)
        WorkerPool.runShared(threads, items: units.count, grain: 1) { thread, forEachClaim in
            runUnits(thread) { unit in
                withoutActuallyEscaping(unit) { unit in
                    forEachClaim { claimed, _ in
                        for u in claimed { unit(units[u].image, units[u].band) }
                    }
                }
            }
        }
        return ((outChannels, oh, ow), spared)
    }
}

extension Conv2D {
    /// Whether the depthwise path runs CKernels' 3x3 kernel (padding 1, stride 1 or 2, AVX2 + FMA).
    var runsDepthwiseKernel: Bool {
        Self.vectorKernels && kernelHeight == 3 && kernelWidth == 3 && padY == 1 && padX == 1
            && strideY == strideX && (strideX == 1 || strideX == 2)
    }

    /// The input rows from which this layer computes at least output `rows` of an `inputHeight`-row
    /// map, run as a plane of their own: from a multiple of the stride (so its output rows fall on the
    /// map's), far enough back that the kept rows never read the plane's zero border in place of the map.
    func inputRows(for rows: Range<Int>, inputHeight: Int) -> Range<Int> {
        let start = max(0, (rows.lowerBound * strideY - padY) / strideY * strideY)
        return start..<min(inputHeight, (rows.upperBound - 1) * strideY - padY + kernelHeight)
    }

    /// The map's output rows this layer computes from input rows `rows` run as a plane of their own.
    func outputRows(ofInputRows rows: Range<Int>) -> Range<Int> {
        let first = rows.lowerBound / strideY
        return first..<(first + outputSize(height: rows.count, width: kernelWidth).height)
    }

    /// Whether this depthwise layer runs `height`×`width` planes through the kernel eight channels at a
    /// time (`ck_depthwise3x3_channels`, which does not accumulate): when a plane's output rows fill at
    /// most half a register. Wider rows (16x8 at stride 1) already fill one each, and the transposes
    /// would cost more than they save. (With AVX-512, 4-wide planes at stride 1 go through the same
    /// function plane by plane, four rows a register.)
    func runsInChannelLanes(height: Int, width: Int, accumulate: Bool) -> Bool {
        runsDepthwiseKernel && !accumulate && width <= 8 && outputSize(height: height, width: width).width <= 4
    }

    /// Scratch floats the depthwise kernel this layer runs on `height`×`width` planes needs.
    func depthwiseScratchCount(height: Int, width: Int) -> Int {
        runsInChannelLanes(height: height, width: width, accumulate: false)
            ? ck_depthwise3x3_channels_scratch(Int32(height), Int32(width), Int32(strideX))
            : ck_depthwise3x3_scratch(Int32(height), Int32(width), Int32(strideX))
    }

    /// Runs a pointwise (packed), depthwise (kernel) or stem layer on one image, on the calling thread: input
    /// channel c at `input + c · inputStride`, output channel c at `output + c · outputStride`. The same
    /// arithmetic as `forward` on a batch holding the image.
    ///
    /// - Parameters:
    ///   - depthwiseScratch: ``depthwiseScratchCount(height:width:)`` floats for a depthwise layer; unless
    ///     `freshScratch`, as an earlier call of this layer on an image of the same size left it.
    ///   - panelScratch: `ck_sgemm_panel_count(inChannels)` floats, 32-byte aligned, for a pointwise layer;
    ///     ``stemScratchCount(width:)`` for a stem.
    ///   - inputTiles: a pointwise layer's input is in 16-column tiles (`ck_sgemm_packed_tiles`' layout,
    ///     from `input`, 32-byte aligned); `inputStride` is then unused.
    ///   - outputTileRows: a depthwise layer computes only these output rows of the plane (counted from
    ///     its first), into 16-column tiles from `output`, for a pointwise layer with `inputTiles`;
    ///     `outputStride` is then unused.
    func forwardImage(
        input: UnsafePointer<Float>, inputStride: Int, output: UnsafeMutablePointer<Float>, outputStride: Int,
        height: Int, width: Int, accumulate: Bool,
        depthwiseScratch: UnsafeMutablePointer<Float>, freshScratch: Bool, panelScratch: UnsafeMutablePointer<Float>,
        inputTiles: Bool = false, outputTileRows: Range<Int>? = nil
    ) {
        let (oh, ow) = outputSize(height: height, width: width)
        switch algorithm {
        case .pointwise where inputTiles:
            guard let packedWeight else { preconditionFailure("forwardImage: pointwise layer without packed weights") }
            bias.withUnsafeBufferPointer { b in
                GEMM.multiply(packed: packedWeight, n: oh * ow, tiles: input, c: output, ldc: outputStride,
                              accumulate: accumulate, epilogue: (b.baseAddress!, activation.kernelCode), threads: 1)
            }
        case .pointwise:
            guard let packedWeight else { preconditionFailure("forwardImage: pointwise layer without packed weights") }
            bias.withUnsafeBufferPointer { b in
                GEMM.multiply(packed: packedWeight, n: oh * ow, b: input, ldb: inputStride, c: output, ldc: outputStride,
                              accumulate: accumulate, epilogue: (b.baseAddress!, activation.kernelCode), threads: 1,
                              panelScratch: panelScratch)
            }
        case .depthwise where runsInChannelLanes(height: height, width: width, accumulate: accumulate):
            precondition(outputTileRows == nil, "forwardImage: eight channels in lanes write planes, not tiles")
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    ck_depthwise3x3_channels(input, inputStride, output, outputStride, Int32(outChannels), 1, Int32(height),
                                             Int32(width), Int32(strideX), w.baseAddress!, b.baseAddress!, activation.kernelCode,
                                             depthwiseScratch, Self.depthwiseAVX512)
                }
            }
        case .depthwise where runsDepthwiseKernel:
            weight.withUnsafeBufferPointer { w in
                let rows = outputTileRows ?? 0..<0, avx512 = Self.depthwiseAVX512
                for c in 0..<outChannels {
                    ck_depthwise3x3(input + c * inputStride, output + c * (outputTileRows == nil ? outputStride : 16), 1,
                                    Int32(height), Int32(width), Int32(strideX), w.baseAddress! + c * 9, bias[c],
                                    accumulate ? 1 : 0, activation.kernelCode, depthwiseScratch, freshScratch && c == 0 ? 1 : 0,
                                    outputTileRows == nil ? 0 : 16 * outChannels, Int32(rows.lowerBound), Int32(rows.upperBound), avx512)
                }
            }
        case .stem:
            // Bands of output rows, as `stemForward` cuts an image: each output the same chain.
            precondition(!accumulate && outputTileRows == nil, "forwardImage: a stem neither accumulates nor writes tiles")
            for oy0 in stride(from: 0, to: oh, by: Self.stemBandRows) {
                stemBand(oy0..<min(oh, oy0 + Self.stemBandRows), input: input, channelStride: inputStride, height: height,
                         width: width, output: output, outputStride: outputStride, accumulate: false, scratch: panelScratch)
            }
        default:
            preconditionFailure("forwardImage: \(algorithm) layers run batch-wide only")
        }
    }
}
