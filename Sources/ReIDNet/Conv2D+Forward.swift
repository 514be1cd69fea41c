internal import CKernels
internal import LinearAlgebra

/// How a convolution runs; chosen from its shape when the layer is built.
///
/// Where the CPU has AVX2 + FMA, every dense product runs on CKernels' packed kernel (weights packed at
/// load) over the whole batch at once, and 3x3 depthwise layers on CKernels' depthwise kernel; elsewhere
/// OpenBLAS runs one GEMM per image and the depthwise loops are Swift's.
enum ConvolutionAlgorithm: Sendable {
    /// 1x1, stride 1: one GEMM over the whole batch, no copy.
    case pointwise
    /// 1x1 with a stride: the strided pixels are gathered (inside the packed product, where it runs),
    /// then one GEMM.
    case pointwiseStrided
    /// One 3x3 (or any) filter per channel: a direct row-by-row kernel.
    case depthwise
    /// 3x3, stride 1, padding 1: Winograd F(4x4,3x3), F(4x2,3x3) or (portable) F(2x2,3x3), one GEMM per
    /// transform point.
    case winograd
    /// Stride 2 across over at most ``Conv2D/stemChannelLimit`` input channels (the stems): bands of output
    /// rows, their input rows split into even and odd columns that the packed kernel reads directly
    /// (CKernels' `ck_conv_stride2`); the same outputs as im2col, bit for bit.
    case stem
    /// Anything else: im2col and a GEMM (implicit where the weights are packed).
    case im2col
}

extension Conv2D {
    /// Scratch floats an im2col / Winograd chunk may use (16 MiB); images are processed in chunks
    /// that fit, so scratch stays bounded whatever the batch.
    static let scratchLimit = 4 << 20

    /// The algorithm `forward` uses for this layer.
    var algorithm: ConvolutionAlgorithm {
        if isDepthwise && groups > 1 { return .depthwise }
        if isPointwise { return strideY == 1 && strideX == 1 ? .pointwise : .pointwiseStrided }
        if usesWinograd { return .winograd }
        if packedWeight != nil && groups == 1 && strideX == 2 && inChannels <= Self.stemChannelLimit
            && inChannels * kernelHeight * kernelWidth <= Int(CK_SGEMM_KC) {
            return .stem
        }
        return .im2col
    }

    /// Input channels up to which a stride-2 layer runs as a stem (RGB's three, and a little room).
    ///
    /// Through im2col, a stem gathered and copied each block of its 27 (3x3) or 147 (7x7) rows only to
    /// multiply it by 32 or 64 filters. In alternating in-process runs the stem kernel made ResNet-50's
    /// conv1 about 13% faster at batch 8, and the networks 0.6-3.4% faster.
    static let stemChannelLimit = 4

    /// Output rows per band of a stem: a band's split input rows stay in L1 and L2.
    static let stemBandRows = 8

    /// Images processed together so that `perImage` scratch floats per image stay within the limit, the
    /// batch shared evenly over as few chunks as that takes: 8 images of which 7 fit go as 4 and 4.
    ///
    /// As 7 and 1, the last chunk streamed all of a late layer's transformed weights (24 MB for
    /// ResNet-50's layer4 under F(4x2)) for one image's few columns. ResNet-50's layer4 3x3 alone at
    /// 384x128 (24 tiles of 4x2 an image) took 11-12% less time at batch 8 (7 fit) and 8% at batch 16
    /// (three chunks), layer3's 5% at batch 16; alternating in-process runs, outputs identical.
    static func chunk(batch: Int, perImage: Int) -> Int {
        let fitting = max(1, min(batch, Conv2D.scratchLimit / max(perImage, 1)))
        let chunks = (batch + fitting - 1) / fitting
        return (batch + chunks - 1) / chunks
    }

    /// Scratch floats `forward` needs for this batch and input size.
    func scratchCount(batch: Int, height: Int, width: Int) -> Int {
        let (oh, ow) = outputSize(height: height, width: width)
        switch algorithm {
        case .pointwise, .depthwise, .stem:
            return 0  // the stem's threads hold their bands' rows themselves
        case .winograd:
            if winogradFused { return 0 }  // each thread holds its own block's V and M
            let perImage = winogradScratchPerImage(height: height, width: width)
            // And room to start V on a 64-byte line, where its products read it in tiles, and for the lines
            // between the points' matrices.
            return perImage * Self.chunk(batch: batch, perImage: perImage) + 16 + 2 * winogradPoints * Self.winogradPointSkew
        case .pointwiseStrided, .im2col:
            if gathersIm2colBlocks { return 0 }  // the packed product gathers its blocks itself
            let perImage = (inChannels / groups) * kernelHeight * kernelWidth * oh * ow
            return perImage * Self.chunk(batch: batch, perImage: perImage)
        }
    }

    /// Runs the convolution on a CNHW batch.
    ///
    /// - Parameters:
    ///   - input: `[inChannels][batch][height][width]`.
    ///   - output: `[outChannels][batch][oh][ow]`; when `accumulate`, it already holds a residual that
    ///     the result is added to (before bias and activation).
    ///   - scratch: at least `scratchCount(batch:height:width:)` floats.
    func forward(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, accumulate: Bool, scratch: UnsafeMutablePointer<Float>
    ) {
        let (oh, ow) = outputSize(height: height, width: width)
        precondition(oh > 0 && ow > 0, "Conv2D: input \(height)x\(width) too small for kernel \(kernelHeight)x\(kernelWidth)")
        let columns = batch * oh * ow
        switch algorithm {
        case .pointwise:
            if let packedWeight {
                // Bias and activation in the product's last store: no epilogue pass.
                bias.withUnsafeBufferPointer { b in
                    GEMM.multiply(packed: packedWeight, n: columns, b: input, ldb: columns, c: output, ldc: columns,
                                  accumulate: accumulate, epilogue: (b.baseAddress!, activation.kernelCode))
                }
                return
            }
            weight.withUnsafeBufferPointer { w in
                Self.multiplyPerImage(m: outChannels, columnsPerImage: oh * ow, images: batch, k: inChannels, a: w.baseAddress!,
                                      lda: inChannels, b: input, ldb: columns, c: output, ldc: columns, accumulate: accumulate)
            }
        case .depthwise:
            depthwise(input: input, output: output, batch: batch, height: height, width: width, accumulate: accumulate)
            return  // the depthwise kernel applies bias and activation itself
        case .winograd:
            winograd(input: input, output: output, batch: batch, height: height, width: width,
                     accumulate: accumulate, scratch: scratch)
            if Self.vectorKernels { return }  // CKernels' output transform applied bias and activation
        case .stem:
            stemForward(input: input, imageStride: height * width, channelStride: batch * height * width, output: output,
                        batch: batch, height: height, width: width, accumulate: accumulate)
            return  // the kernel applied bias and activation
        case .pointwiseStrided, .im2col:
            // A strided 1x1's im2col matrix is its strided pixels.
            im2colForward(input: input, output: output, batch: batch, height: height, width: width,
                          accumulate: accumulate, scratch: scratch)
            if packedWeight != nil { return }  // the packed product applied bias and activation
        }
        epilogue(output: output, columns: columns)
    }

    /// `C = A · B` (or `C += A · B`) where B's and C's columns are `images` blocks of `columnsPerImage`
    /// columns, one OpenBLAS GEMM per image: the path for CPUs without CKernels' packed product, which
    /// runs one product over the whole batch instead (its columns do not depend on their neighbours).
    ///
    /// One OpenBLAS GEMM over every image's columns would be faster, but OpenBLAS's sgemm rounds a column
    /// differently depending on the matrix's width and the column's place in it (measured: thousands of
    /// outputs differ in the last bit between one image alone and the same image beside two others).
    /// Per image, the arithmetic depends only on the image, so an embedding never depends on the other
    /// crops of its batch and the pipeline's events do not depend on how crops were batched.
    static func multiplyPerImage(
        m: Int, columnsPerImage: Int, images: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false
    ) {
        for i in 0..<images {
            GEMM.multiply(m: m, n: columnsPerImage, k: k, a: a, lda: lda, b: b + i * columnsPerImage, ldb: ldb,
                          c: c + i * columnsPerImage, ldc: ldc, accumulate: accumulate)
        }
    }

    /// Adds the bias and applies the activation to every output row.
    func epilogue(output: UnsafeMutablePointer<Float>, columns: Int) {
        bias.withUnsafeBufferPointer { b in
            ParallelFor.run(outChannels, minimumPerThread: max(1, 16384 / columns)) { range in
                for o in range { activation.apply(bias: b[o], row: output + o * columns, count: columns) }
            }
        }
    }

    /// The stem kernel over bands of ``stemBandRows`` output rows, image by image, bands shared among the
    /// compute threads. Input channel c of image n is the plane at `input + n · imageStride + c ·
    /// channelStride`: a CNHW batch, or the caller's NCHW images read where they are. `images`: only those
    /// of the batch (all when nil). `kernel` as in `GEMM.multiply(packed:...)` (tests compare the kernels).
    func stemForward(
        input: UnsafePointer<Float>, imageStride: Int, channelStride: Int, output: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, accumulate: Bool, images: Range<Int>? = nil,
        kernel: GEMM.TileKernel = GEMM.tileKernel
    ) {
        precondition(algorithm == .stem, "stemForward on a \(algorithm) layer")
        let (oh, ow) = outputSize(height: height, width: width)
        let bandRows = Self.stemBandRows
        let bands = (oh + bandRows - 1) / bandRows
        let scratchCount = stemScratchCount(width: width)
        precondition(batch * oh * ow <= Int(Int32.max), "Conv2D stem: output exceeds Int32")
        let images = images ?? 0..<batch
        ParallelFor.runShared(images.count * bands) { forEachTask in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { scratch in
                forEachTask { task in
                    let image = images.lowerBound + task / bands, oy0 = (task % bands) * bandRows
                    stemBand(oy0..<min(oh, oy0 + bandRows), input: input + image * imageStride, channelStride: channelStride,
                             height: height, width: width, output: output + image * oh * ow, outputStride: batch * oh * ow,
                             accumulate: accumulate, scratch: scratch.baseAddress!, kernel: kernel)
                }
            }
        }
    }

    /// Output `rows` of one `height`×`width` image through the stem kernel (`ck_conv_stride2`): input
    /// channel c at `input + c · channelStride`, output channel c at `output + c · outputStride`;
    /// `scratch` holds ``stemScratchCount(width:)`` floats. What ``stemForward`` runs for each band, and an
    /// image block for the rows its piece needs, so both compute each output the same way.
    func stemBand(
        _ rows: Range<Int>, input: UnsafePointer<Float>, channelStride: Int, height: Int, width: Int,
        output: UnsafeMutablePointer<Float>, outputStride: Int, accumulate: Bool, scratch: UnsafeMutablePointer<Float>,
        kernel: GEMM.TileKernel = GEMM.tileKernel
    ) {
        precondition(rows.count <= Self.stemBandRows, "Conv2D stem: a band of \(rows.count) rows")
        let ow = outputSize(height: height, width: width).width
        packedWeight!.withPanels { panels in
            bias.withUnsafeBufferPointer { b in
                ck_conv_stride2(panels, Int32(outChannels), Int32(inChannels), Int32(kernelHeight), Int32(kernelWidth),
                                Int32(strideY), Int32(padY), Int32(padX), input, channelStride, Int32(height), Int32(width),
                                Int32(rows.lowerBound), Int32(rows.upperBound), Int32(ow), output, Int32(outputStride),
                                accumulate ? 1 : 0, b.baseAddress!, activation.kernelCode, scratch, kernel.rawValue)
            }
        }
    }

    /// Floats of scratch ``stemBand(_:input:channelStride:height:width:output:outputStride:accumulate:scratch:kernel:)``
    /// needs for input rows `width` wide.
    func stemScratchCount(width: Int) -> Int {
        let ow = outputSize(height: kernelHeight, width: width).width
        return ck_conv_stride2_scratch(Int32(inChannels), Int32(kernelHeight), Int32(kernelWidth), Int32(strideY), Int32(padX),
                                       Int32(width), Int32(ow), Int32(Self.stemBandRows))
    }

    /// Whether the packed product gathers this layer's im2col matrix block by block itself (a packed 3x3
    /// or larger layer), rather than multiplying the matrix written out a chunk of images at a time in
    /// `scratch`. A strided 1x1's matrix is written out even where the weights are packed: the gather read
    /// each of a block's rows (a channel's every other pixel of every other row) from maps of up to 25 MB
    /// (the downsamples of layer2 and layer3 at 384x128, batch 8) a page or more from the last; written
    /// out by both threads in one pass, the pixels then fit in cache for the product's copy. ResNet-50 at
    /// 384x128, batch 8, took 2.2-2.9% less time in alternating in-process runs, 1.2% at 256x128; the
    /// same for the 3x3 stride-2 layers (nine rows a channel, a 14 MB matrix) gained nothing.
    var gathersIm2colBlocks: Bool { algorithm == .im2col && packedWeight != nil }

    /// im2col + GEMM. Where ``gathersIm2colBlocks``: one product over the batch that gathers its im2col
    /// blocks itself. Otherwise: the matrix written per chunk of images, then one product per chunk (packed
    /// weights) or one GEMM per group per chunk.
    private func im2colForward(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, accumulate: Bool, scratch: UnsafeMutablePointer<Float>
    ) {
        let (oh, ow) = outputSize(height: height, width: width)
        if let packedWeight, gathersIm2colBlocks {
            // One product over the whole batch, gathering the im2col matrix block by block (implicit
            // GEMM): the same outputs as from the explicit matrix, which is never written whole.
            let source = Im2colSource(input: input, channels: inChannels, planes: batch, height: height, width: width,
                                      kernel: (kernelHeight, kernelWidth), stride: (strideY, strideX), padding: (padY, padX),
                                      outputHeight: oh, outputWidth: ow)
            bias.withUnsafeBufferPointer { b in
                GEMM.multiply(packed: packedWeight, n: batch * oh * ow, im2col: source, c: output, ldc: batch * oh * ow,
                              accumulate: accumulate, epilogue: (b.baseAddress!, activation.kernelCode))
            }
            return
        }
        let cinG = inChannels / groups, coutG = outChannels / groups
        let k = cinG * kernelHeight * kernelWidth
        let plane = oh * ow
        let ldc = batch * plane
        let step = Self.chunk(batch: batch, perImage: k * plane)
        for g in 0..<groups {
            let source = Im2colSource(input: input + g * cinG * batch * height * width, channels: cinG, planes: batch,
                                      height: height, width: width, kernel: (kernelHeight, kernelWidth),
                                      stride: (strideY, strideX), padding: (padY, padX), outputHeight: oh, outputWidth: ow)
            var n0 = 0
            while n0 < batch {
                let count = min(step, batch - n0)
                let cols = count * plane
                // Row r = (ci, ky, kx) of the column matrix, column = image-in-chunk · plane + pixel.
                ParallelFor.run(k, minimumPerThread: max(1, 16384 / cols)) { rows in
                    for r in rows { source.fill(row: r, columns: n0 * plane..<(n0 * plane + cols), into: scratch + r * cols) }
                }
                let c = output + g * coutG * ldc + n0 * plane
                if let packedWeight {
                    // Packed weights are dense (one group): the product applies bias and activation.
                    bias.withUnsafeBufferPointer { b in
                        GEMM.multiply(packed: packedWeight, n: cols, b: scratch, ldb: cols, c: c, ldc: ldc,
                                      accumulate: accumulate, epilogue: (b.baseAddress!, activation.kernelCode))
                    }
                } else {
                    weight.withUnsafeBufferPointer { w in
                        Self.multiplyPerImage(m: coutG, columnsPerImage: plane, images: count, k: k,
                                              a: w.baseAddress! + g * coutG * k, lda: k, b: scratch, ldb: cols, c: c, ldc: ldc,
                                              accumulate: accumulate)
                    }
                }
                n0 += count
            }
        }
    }

    /// Whether this CPU runs CKernels' AVX2 + FMA kernels: the one switch, `GEMM.hasPackedKernel`
    /// (`PANOPTES_PORTABLE_KERNELS=1` keeps OpenBLAS and the portable Swift loops, for comparison).
    static var vectorKernels: Bool { GEMM.hasPackedKernel }

    /// The depthwise kernels' `avx512` argument: 1 where their AVX-512 planes run (``GEMM/hasAVX512Kernel``).
    static var depthwiseAVX512: Int32 { GEMM.hasAVX512Kernel ? 1 : 0 }

    /// Direct depthwise convolution. 3x3 kernels with padding 1 and stride 1 or 2 (MobileNetV2's) run
    /// through CKernels' AVX2 + FMA kernel where the CPU has it. Otherwise each plane is first copied into a zero-bordered buffer, so no
    /// tap needs a bounds check; each output row is then computed once, eight outputs at a time in
    /// SIMD registers (strides 1 and 2) and the rest one by one, with bias, residual and activation
    /// applied before the single store.
    private func depthwise(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, accumulate: Bool
    ) {
        let (oh, ow) = outputSize(height: height, width: width)
        let taps = kernelHeight * kernelWidth
        if runsInChannelLanes(height: height, width: width, accumulate: accumulate) {
            // Narrow maps: eight channels at a time over the batch's planes, the threads sharing groups of
            // eight, at least 2048 outputs a thread. (A group holds eight planes: counting it as one kept
            // MobileNetV2's 8x4 layers at batch 1, 72-120 groups of 256 outputs, on one thread; shared,
            // the whole embedding took 2.2-2.7% less time.)
            let plane = batch * height * width, outPlane = batch * oh * ow
            let scratchCount = ck_depthwise3x3_channels_scratch(Int32(height), Int32(width), Int32(strideX))
            weight.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    let groups = (outChannels + 7) / 8
                    ParallelFor.run(groups, minimumPerThread: max(1, 2048 / (8 * outPlane))) { range in
                        let first = range.lowerBound * 8, count = min(range.upperBound * 8, outChannels) - first
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { buffer in
                            ck_depthwise3x3_channels(input + first * plane, plane, output + first * outPlane, outPlane, Int32(count),
                                                     Int32(batch), Int32(height), Int32(width), Int32(strideX),
                                                     w.baseAddress! + first * taps, b.baseAddress! + first, activation.kernelCode,
                                                     buffer.baseAddress!, Self.depthwiseAVX512)
                        }
                    }
                }
            }
            return
        }
        if runsDepthwiseKernel {
            // AVX2 + FMA (some planes AVX-512): one call per channel over the batch's planes.
            let stride = strideX, avx512 = Self.depthwiseAVX512
            let scratchCount = ck_depthwise3x3_scratch(Int32(height), Int32(width), Int32(stride))
            weight.withUnsafeBufferPointer { w in
                ParallelFor.run(outChannels, minimumPerThread: max(1, 16384 / (batch * oh * ow))) { range in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: scratchCount) { buffer in
                        for c in range {
                            ck_depthwise3x3(input + c * batch * height * width, output + c * batch * oh * ow, Int32(batch),
                                            Int32(height), Int32(width), Int32(stride), w.baseAddress! + c * taps, bias[c],
                                            accumulate ? 1 : 0, activation.kernelCode, buffer.baseAddress!, c == range.lowerBound ? 1 : 0,
                                            0, 0, 0, avx512)
                        }
                    }
                }
            }
            return
        }
        // The padded plane: output (oy, ox) reads rows oy·sy + ky and columns ox·sx + kx, all inside it.
        let paddedHeight = height + 2 * padY, paddedWidth = width + 2 * padX
        let kw = kernelWidth, sx = strideX, sy = strideY
        weight.withUnsafeBufferPointer { w in
            bias.withUnsafeBufferPointer { b in
                ParallelFor.run(outChannels, minimumPerThread: max(1, 16384 / (batch * oh * ow))) { range in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: paddedHeight * paddedWidth) { buffer in
                        let padded = buffer.baseAddress!
                        // The border stays zero: each plane overwrites only the interior.
                        padded.initialize(repeating: 0, count: paddedHeight * paddedWidth)
                        for c in range {
                            let filter = w.baseAddress! + c * taps
                            let bias = b[c]
                            for n in 0..<batch {
                                let src = input + (c * batch + n) * height * width
                                for y in 0..<height {
                                    (padded + (y + padY) * paddedWidth + padX).update(from: src + y * width, count: width)
                                }
                                let dst = output + (c * batch + n) * oh * ow
                                for oy in 0..<oh {
                                    let out = dst + oy * ow
                                    let top = padded + oy * sy * paddedWidth
                                    var ox = 0
                                    // Vector path: a stride-1 load reads columns ox + kx ..< +8 (ox + 8 ≤ ow keeps
                                    // them in the row); a stride-2 load reads 2·ox + kx ..< +16, kept in the row
                                    // by its own condition.
                                    if sx == 1 || sx == 2 {
                                        while ox + 8 <= ow && (sx == 1 || 2 * ox + kw - 1 + 16 <= paddedWidth) {
                                            var acc = SIMD8<Float>(repeating: bias)
                                            for ky in 0..<kernelHeight {
                                                let row = UnsafeRawPointer(top + ky * paddedWidth + ox * sx)
                                                for kx in 0..<kw {
                                                    let wv = filter[ky * kw + kx]
                                                    let offset = kx * MemoryLayout<Float>.stride
                                                    if sx == 1 {
                                                        acc += wv * row.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                                                    } else {
                                                        acc += wv * row.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self).evenHalf
                                                    }
                                                }
                                            }
                                            let slot = UnsafeMutableRawPointer(out + ox)
                                            if accumulate { acc += slot.loadUnaligned(as: SIMD8<Float>.self) }
                                            slot.storeBytes(of: activation.vector(acc), as: SIMD8<Float>.self)
                                            ox += 8
                                        }
                                    }
                                    while ox < ow {
                                        var sum = bias
                                        for ky in 0..<kernelHeight {
                                            let row = top + ky * paddedWidth + ox * sx
                                            for kx in 0..<kw { sum += filter[ky * kw + kx] * row[kx] }
                                        }
                                        if accumulate { sum += out[ox] }
                                        out[ox] = activation.scalar(sum)
                                        ox += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
