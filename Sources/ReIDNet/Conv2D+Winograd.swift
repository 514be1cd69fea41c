internal import CKernels
internal import LinearAlgebra

/// Winograd convolution for 3x3 stride-1 padding-1 layers (Lavin & Gray, 2016).
///
/// Each (t+2)x(t+2) input tile d becomes V = Bᵀ d B, each filter g becomes U = G g Gᵀ (once, at load),
/// and the (t+2)² transform points are as many independent GEMMs M_ξ = U_ξ (Cout×Cin) · V_ξ (Cin×tiles);
/// a t×t output tile is Aᵀ M A.
/// - F(2x2,3x3): 16 multiplies per 4 outputs instead of 36 (2.25x fewer). Bᵀ = [1 0 −1 0; 0 1 1 0;
///   0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], Aᵀ = [1 1 1 0; 0 1 −1 −1].
/// - F(4x4,3x3): 36 multiplies per 16 outputs (4x fewer), points 0, ±1, ±2, ∞ (the matrices are in
///   CKernels' `winograd.c`); its fp32 error stays inside PFSA.md's parity bound.
/// - F(4x2,3x3): F(4)'s matrices down the rows and F(2)'s across the columns, 24 multiplies per 8
///   outputs (3x fewer).
///
/// Where CKernels run, layers of at most `winograd4ChannelLimit` channels use F(4x4) and wider ones
/// F(4x2): their transformed weights would take (6/3)² = 4x the weights, against (6·4)/9 = 2.7x, and at
/// person-crop sizes their maps are small (16x8 at 256x128), where 4x4 tiles are few. The portable
/// path runs F(2x2).
extension Conv2D {
    /// Whether this layer's shape is one Winograd computes.
    var winogradEligible: Bool {
        kernelHeight == 3 && kernelWidth == 3 && strideY == 1 && strideX == 1 && padY == 1 && padX == 1
            && groups == 1
    }

    /// Layers with at most this many input and output channels run F(4x4,3x3) where CKernels run, wider
    /// ones F(4x2,3x3).
    ///
    /// 128: ResNet-50's layer1 and layer2. Its layer3 (256 channels) maps are 16x8 at 256x128 (24x8 at
    /// 384x128): 8 (12) F(4x4) tiles per image. At batch 1 its 36 products per layer are then 256x256
    /// by 8 columns, and streaming 9.4 MB of transformed weights for them took 2-2.5x as long as
    /// F(2x2) (16 products of 32 columns, 4.2 MB); F(4x4) for layer4 (512 channels) would take the
    /// packed weights past twice the model's. F(4x2) sits between: 24 products of 16 columns, 2.7x the
    /// weights. Against F(2x2) for layer3 and layer4, in alternating in-process runs on two Zen 4 cores,
    /// ResNet-50 took 3.9% less time at batch 8 (256x128; 3.8% at 384x128) and 2-3% more at batch 1,
    /// with packed weights 1.80x the model's instead of 1.41x. The choice depends on the layer only,
    /// never on the batch, so an image's embedding does not depend on its batch.
    static let winograd4ChannelLimit = 128

    /// Output tile rows and columns: 4x4 for F(4x4,3x3), 4x2 for F(4x2,3x3), 2x2 for F(2x2,3x3).
    var winogradTile: (rows: Int, columns: Int) {
        switch winogradPacked?.count {
        case 36: (4, 4)
        case 24: (4, 2)
        default: (2, 2)
        }
    }

    /// Transform points, (rows + 2)·(columns + 2): one product each.
    var winogradPoints: Int { (winogradTile.rows + 2) * (winogradTile.columns + 2) }

    /// Output tiles down and across a `height`×`width` map (the last ones partly past its edge).
    func winogradTiles(height: Int, width: Int) -> (y: Int, x: Int) {
        let tile = winogradTile
        return ((height + tile.rows - 1) / tile.rows, (width + tile.columns - 1) / tile.columns)
    }

    /// G for output tiles of side `tile` (rows: transform points; columns: filter taps).
    private static func winogradG(tile: Int) -> [[Double]] {
        if tile == 4 {
            return [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                    [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        }
        return [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    }

    /// Computes U = G g Gᵀ for every (output, input) pair: `[points][outChannels][inChannels]`. Where
    /// CKernels' product runs, each point's matrix is written straight into its packed layout
    /// (`winogradPacked`), with no plain copy; otherwise into `winogradWeight`. Only from
    /// `prepareProducts(winograd:)`, for an eligible layer.
    mutating func prepareWinograd() {
        let tile = !GEMM.hasPackedKernel ? (rows: 2, columns: 2)
            : max(inChannels, outChannels) <= Self.winograd4ChannelLimit ? (rows: 4, columns: 4) : (rows: 4, columns: 2)
        let points = (tile.rows + 2) * (tile.columns + 2)
        let (outChannels, inChannels) = (self.outChannels, self.inChannels)
        if GEMM.hasPackedKernel {
            let panelRows = PackedMatrix.panelRows
            winogradPacked = PackedMatrix.packing(count: points, rows: outChannels, columns: inChannels) { matrices in
                // Whole panels per thread: two threads never write the same panel.
                let panels = (outChannels + panelRows - 1) / panelRows
                ParallelFor.run(panels, minimumPerThread: max(1, 4096 / (inChannels * panelRows))) { range in
                    let outputs = range.lowerBound * panelRows..<min(outChannels, range.upperBound * panelRows)
                    matrices.withUnsafeBufferPointer { matrices in
                        transformFilters(outputs: outputs, tile: tile) { o, i, values in
                            // The same place in every point's matrix.
                            let at = PackedMatrix.offset(row: o, column: i, columns: inChannels)
                            for point in 0..<points { matrices[point][at] = values[point] }
                        }
                    }
                }
            }
        } else {
            let plane = outChannels * inChannels
            winogradWeight = [Float](unsafeUninitializedCapacity: points * plane) { u, count in
                let u = u.baseAddress!
                ParallelFor.run(outChannels, minimumPerThread: max(1, 4096 / inChannels)) { outputs in
                    transformFilters(outputs: outputs, tile: tile) { o, i, values in
                        for point in 0..<points { u[point * plane + o * inChannels + i] = values[point] }
                    }
                }
                count = points * plane
            }
        }
    }

    /// Transforms the filters of `outputs` (every input channel): `store(output, input, U)` with the
    /// filter's (rows + 2)·(columns + 2) values, one per point. G_rows·g, then (G_rows·g)·G_columnsᵀ, in
    /// Double, so the transform itself adds no rounding.
    @inline(__always)
    private func transformFilters(
        outputs: Range<Int>, tile: (rows: Int, columns: Int), store: (Int, Int, UnsafePointer<Float>) -> Void
    ) {
        let (sideY, sideX) = (tile.rows + 2, tile.columns + 2)
        // G for the rows, G for the columns, G·g, then U (as Float) in one buffer.
        withUnsafeTemporaryAllocation(of: Double.self, capacity: (2 * sideY + sideX) * 3 + sideY * sideX) { buffer in
            let gy = buffer.baseAddress!, gx = gy + sideY * 3, gg = gx + sideX * 3
            _ = UnsafeMutableBufferPointer(start: gy, count: sideY * 3).initialize(from: Self.winogradG(tile: tile.rows).joined())
            _ = UnsafeMutableBufferPointer(start: gx, count: sideX * 3).initialize(from: Self.winogradG(tile: tile.columns).joined())
            let u = UnsafeMutableRawPointer(gg + sideY * 3).bindMemory(to: Float.self, capacity: sideY * sideX)
            weight.withUnsafeBufferPointer { weight in
                for o in outputs {
                    for i in 0..<inChannels {
                        let filter = weight.baseAddress! + (o * inChannels + i) * 9
                        for r in 0..<sideY {
                            for c in 0..<3 {
                                gg[r * 3 + c] = gy[r * 3] * Double(filter[c]) + gy[r * 3 + 1] * Double(filter[3 + c])
                                    + gy[r * 3 + 2] * Double(filter[6 + c])
                            }
                        }
                        for r in 0..<sideY {
                            for col in 0..<sideX {
                                let value = gg[r * 3] * gx[col * 3] + gg[r * 3 + 1] * gx[col * 3 + 1] + gg[r * 3 + 2] * gx[col * 3 + 2]
                                u[r * sideX + col] = Float(value)
                            }
                        }
                        store(o, i, u)
                    }
                }
            }
        }
    }

    /// Whether this layer runs through Winograd (on by default for eligible layers; `Conv2D.init`'s
    /// `winograd` false selects the plain im2col path, which the tests compare against).
    public var usesWinograd: Bool { winogradWeight != nil || winogradPacked != nil }

    /// Floats between the end of one transform point's matrix of V or M and the start of the next: one
    /// 64-byte line.
    ///
    /// Those matrices' sizes are multiples of 4 KiB at ResNet-50's shapes (64 channels by a block of 64
    /// tiles: 16 KiB), so without it the input transform's 36 stores of a tile, one to each point, all fell
    /// into one set of L1 (12 ways) and evicted one another, as did the output transform's 36 loads. With
    /// it, in alternating in-process runs (outputs identical), ResNet-50's layer1 3x3 alone took 19% less
    /// time at 384x128 batch 8, layer2's and layer3's 8%, layer4's 5%; the network 3.4-4.2% less at batch 1
    /// and 0.7-2.2% at batch 8.
    static let winogradPointSkew = 16

    /// Scratch floats per image: V (points·Cin·tiles) and M (points·Cout·tiles).
    func winogradScratchPerImage(height: Int, width: Int) -> Int {
        let tiles = winogradTiles(height: height, width: width)
        return winogradPoints * (inChannels + outChannels) * tiles.y * tiles.x
    }

    /// Tile rows per block of the fused path for `batch` maps of `height`×`width`: a block holds about
    /// 2 MiB of V and M ((tile + 2)²·(Cin + Cout) floats per tile) for layers of at most
    /// `fusedChannelLimit` channels, and is smaller when that would leave a thread without a block (at
    /// batch 1, layer2's 32x16 map was one block: one thread worked, the other waited).
    func fusedTileRows(batch: Int, height: Int, width: Int) -> Int {
        let (tilesY, tilesX) = winogradTiles(height: height, width: width)
        let fitting = max(1, (winogradTile.rows == 4 ? 64 : 128) / tilesX)
        let blocksPerImage = (GEMM.threadCount + batch - 1) / batch
        return min(fitting, max(1, (tilesY + blocksPerImage - 1) / blocksPerImage))
    }

    /// Layers with at most this many input and output channels run the fused path (where CKernels
    /// run): their products are too shallow to hide the trips of whole-map V and M through memory.
    static let fusedChannelLimit = 128

    /// Whether this layer runs the fused path.
    var winogradFused: Bool {
        winogradPacked != nil && Self.vectorKernels && inChannels <= Self.fusedChannelLimit && outChannels <= Self.fusedChannelLimit
    }

    /// Runs the convolution through the transform domain, images in chunks that fit the scratch limit.
    func winograd(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, accumulate: Bool, scratch: UnsafeMutablePointer<Float>
    ) {
        if winogradFused {
            winogradFused(input: input, output: output, batch: batch, height: height, width: width, accumulate: accumulate)
            return
        }
        let points = winogradPoints
        let (tilesY, tilesX) = winogradTiles(height: height, width: width)
        let tilesPerImage = tilesY * tilesX
        let step = Self.chunk(batch: batch, perImage: winogradScratchPerImage(height: height, width: width))
        let planeIn = height * width
        // Each image's tiles fill whole 16-column tiles, so V takes the same room either way.
        let tiled = winogradPassesTiles(height: height, width: width, batchWide: true)
        // Where the weights are packed, one product per transform point over the whole chunk: its columns
        // come out as they would image by image (see `GEMM.multiply(packed:)`).
        let plainWeight = winogradWeight ?? []
        plainWeight.withUnsafeBufferPointer { u in
            var n0 = 0
            while n0 < batch {
                let count = min(step, batch - n0)
                let tiles = count * tilesPerImage
                // V from the first 64-byte line of the scratch (its products read its tiles with aligned loads).
                let v = scratch.onCacheLine
                // Input transform: V[ξ][ci][t]; then M[ξ][co][t]. Each point's matrix a line past the last's end.
                let vPoint = inChannels * tiles + Self.winogradPointSkew
                let m = v + points * vPoint
                let mPoint = outChannels * tiles + Self.winogradPointSkew
                ParallelFor.run(inChannels, minimumPerThread: max(1, 4096 / tiles)) { range in
                    if Self.vectorKernels {
                        // CKernels: eight tiles at a time.
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: transformInputScratch(width: width)) { buffer in
                            for ci in range {
                                for j in 0..<count {
                                    transformInput(input + (ci * batch + n0 + j) * planeIn, height: height, width: width,
                                                   tileRows: 0..<tilesY, into: v + ci * (tiled ? 16 : tiles), point: vPoint,
                                                   firstTile: j * tilesPerImage, tileStride: tiled ? 16 * inChannels : 0,
                                                   scratch: buffer.baseAddress!, freshScratch: ci == range.lowerBound && j == 0)
                                }
                            }
                        }
                        return
                    }
                    for ci in range {
                        for j in 0..<count {
                            let src = input + (ci * batch + n0 + j) * planeIn
                            for ty in 0..<tilesY {
                                for tx in 0..<tilesX {
                                    // The 4x4 tile at (2ty − 1, 2tx − 1), zero outside the image.
                                    let y0 = 2 * ty - 1, x0 = 2 * tx - 1
                                    var d0 = SIMD4<Float>(), d1 = SIMD4<Float>(), d2 = SIMD4<Float>(), d3 = SIMD4<Float>()
                                    if y0 >= 0 && y0 + 4 <= height && x0 >= 0 && x0 + 4 <= width {
                                        // Interior tile: four unaligned 4-float row loads.
                                        let base = UnsafeRawPointer(src + y0 * width + x0)
                                        let rowBytes = width * MemoryLayout<Float>.stride
                                        d0 = base.loadUnaligned(as: SIMD4<Float>.self)
                                        d1 = base.loadUnaligned(fromByteOffset: rowBytes, as: SIMD4<Float>.self)
                                        d2 = base.loadUnaligned(fromByteOffset: 2 * rowBytes, as: SIMD4<Float>.self)
                                        d3 = base.loadUnaligned(fromByteOffset: 3 * rowBytes, as: SIMD4<Float>.self)
                                    } else {
                                        // Border tile: zero outside the image.
                                        var p = SIMD16<Float>(repeating: 0)
                                        for r in 0..<4 {
                                            let y = y0 + r
                                            if y < 0 || y >= height { continue }
                                            let row = src + y * width
                                            for c in 0..<4 {
                                                let x = x0 + c
                                                if x >= 0 && x < width { p[r * 4 + c] = row[x] }
                                            }
                                        }
                                        d0 = p.lowHalf.lowHalf; d1 = p.lowHalf.highHalf
                                        d2 = p.highHalf.lowHalf; d3 = p.highHalf.highHalf
                                    }
                                    // t = Bᵀ d (row combinations), then V = t B (column combinations).
                                    let base = v + ci * tiles + j * tilesPerImage + ty * tilesX + tx
                                    @inline(__always) func store(_ r: Int, _ t: SIMD4<Float>) {
                                        base[(r * 4 + 0) * vPoint] = t[0] - t[2]
                                        base[(r * 4 + 1) * vPoint] = t[1] + t[2]
                                        base[(r * 4 + 2) * vPoint] = t[2] - t[1]
                                        base[(r * 4 + 3) * vPoint] = t[1] - t[3]
                                    }
                                    store(0, d0 - d2)
                                    store(1, d1 + d2)
                                    store(2, d2 - d1)
                                    store(3, d1 - d3)
                                }
                            }
                        }
                    }
                }
                // One GEMM per point: M_ξ (Cout×tiles) = U_ξ (Cout×Cin) · V_ξ (Cin×tiles).
                if let packed = winogradPacked {
                    // Threads take whole points, each product on one thread: one wake-up per layer instead of
                    // one per point (F(4x2)'s 24), the same outputs. ResNet-50 took 1.7% less time at batch 1
                    // and 0.3-0.8% at batch 8, in alternating in-process runs on two Zen 4 cores. The points
                    // are shared (`ParallelFor.runShared`): a thread on a slowed core hands its last ones on.
                    ParallelFor.runShared(points) { forEachPoint in
                        guard !tiled else {
                            forEachPoint { xi in
                                GEMM.multiply(packed: packed[xi], n: tiles, tiles: v + xi * vPoint, c: m + xi * mPoint,
                                              ldc: tiles, threads: 1)
                            }
                            return
                        }
                        withUnsafeTemporaryAllocation(byteCount: ck_sgemm_panel_count(Int32(inChannels)) * MemoryLayout<Float>.stride,
                                                      alignment: 64) { raw in
                            let panel = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                            forEachPoint { xi in
                                GEMM.multiply(packed: packed[xi], n: tiles, b: v + xi * vPoint, ldb: tiles,
                                              c: m + xi * mPoint, ldc: tiles, threads: 1, panelScratch: panel)
                            }
                        }
                    }
                } else {
                    for xi in 0..<points {
                        Self.multiplyPerImage(m: outChannels, columnsPerImage: tilesPerImage, images: count, k: inChannels,
                                              a: u.baseAddress! + xi * outChannels * inChannels, lda: inChannels,
                                              b: v + xi * vPoint, ldb: tiles,
                                              c: m + xi * mPoint, ldc: tiles)
                    }
                }
                // Output transform: Y = Aᵀ M A, clipped to the output size (CKernels also apply the epilogue).
                ParallelFor.run(outChannels, minimumPerThread: max(1, 4096 / tiles)) { range in
                    if Self.vectorKernels {
                        for o in range {
                            for j in 0..<count {
                                transformOutput(m + o * tiles + j * tilesPerImage, point: mPoint, height: height, width: width,
                                                tileRows: 0..<tilesY, into: output + (o * batch + n0 + j) * planeIn,
                                                accumulate: accumulate, channel: o)
                            }
                        }
                        return
                    }
                    for o in range {
                        for j in 0..<count {
                            let dst = output + (o * batch + n0 + j) * planeIn
                            for ty in 0..<tilesY {
                                for tx in 0..<tilesX {
                                    let q = m + o * tiles + j * tilesPerImage + ty * tilesX + tx
                                    @inline(__always) func at(_ r: Int, _ c: Int) -> Float { q[(r * 4 + c) * mPoint] }
                                    // s = Aᵀ M: two rows of four.
                                    let s00 = at(0, 0) + at(1, 0) + at(2, 0), s01 = at(0, 1) + at(1, 1) + at(2, 1)
                                    let s02 = at(0, 2) + at(1, 2) + at(2, 2), s03 = at(0, 3) + at(1, 3) + at(2, 3)
                                    let s10 = at(1, 0) - at(2, 0) - at(3, 0), s11 = at(1, 1) - at(2, 1) - at(3, 1)
                                    let s12 = at(1, 2) - at(2, 2) - at(3, 2), s13 = at(1, 3) - at(2, 3) - at(3, 3)
                                    let y00 = s00 + s01 + s02, y01 = s01 - s02 - s03
                                    let y10 = s10 + s11 + s12, y11 = s11 - s12 - s13
                                    let y = 2 * ty, x = 2 * tx
                                    let row0 = dst + y * width + x
                                    if accumulate { row0[0] += y00 } else { row0[0] = y00 }
                                    if x + 1 < width { if accumulate { row0[1] += y01 } else { row0[1] = y01 } }
                                    if y + 1 < height {
                                        let row1 = row0 + width
                                        if accumulate { row1[0] += y10 } else { row1[0] = y10 }
                                        if x + 1 < width { if accumulate { row1[1] += y11 } else { row1[1] = y11 } }
                                    }
                                }
                            }
                        }
                    }
                }
                n0 += count
            }
        }
    }
}

extension Conv2D {
    /// Floats of scratch `transformInput` needs for planes `width` wide.
    func transformInputScratch(width: Int) -> Int {
        winogradTile.columns == 4 ? ck_winograd4_input_scratch(Int32(width)) : ck_winograd42_input_scratch(Int32(width))
    }

    /// CKernels' input transform (F(4x4) or F(4x2), by `winogradTile`: the tiles of layers where CKernels
    /// run) of some tile rows of one plane:
    /// point ξ of tile (ty, tx) goes to `v[ξ·point + t]`, t = `firstTile` + (ty − tileRows.lowerBound)·tilesX
    /// + tx; with a `tileStride`, to `v[ξ·point + (t / 16)·tileStride + t % 16]`, the 16-column tiles of
    /// `GEMM.multiply(packed:n:tiles:)` (see ``winogradPassesTiles(height:width:batchWide:)``).
    /// `scratch`: ``transformInputScratch(width:)`` floats; unless `freshScratch`, as an earlier call on a
    /// plane of the same width left it (the transform then zeroes only the rows outside the plane; zeroing
    /// all of it for every tile row took 0.4-1.6% of ResNet-50's time in alternating in-process runs).
    func transformInput(
        _ plane: UnsafePointer<Float>, height: Int, width: Int, tileRows: Range<Int>,
        into v: UnsafeMutablePointer<Float>, point: Int, firstTile: Int = 0, tileStride: Int = 0,
        scratch: UnsafeMutablePointer<Float>, freshScratch: Bool = true
    ) {
        let (h, w, ty0, ty1) = (Int32(height), Int32(width), Int32(tileRows.lowerBound), Int32(tileRows.upperBound))
        precondition(winogradTile.rows == 4, "CKernels transform F(4x4) and F(4x2) tiles only")
        if winogradTile.columns == 4 {
            ck_winograd4_input(plane, h, w, ty0, ty1, v, point, Int32(firstTile), tileStride, scratch, freshScratch ? 1 : 0)
        } else {
            ck_winograd42_input(plane, h, w, ty0, ty1, v, point, Int32(firstTile), tileStride, scratch, freshScratch ? 1 : 0)
        }
    }

    /// Whether the input transform writes V straight into the 16-column tiles its products multiply by,
    /// so they copy nothing: where CKernels run and the transform's stores of eight tiles fall inside
    /// one tile (a row of 4 tiles or of a multiple of 8), and, batch-wide, each image's tiles fill whole
    /// tiles. (ResNet-50 at 256x128 and 384x128: every 3x3 stride-1 layer.) The same bits; in alternating
    /// in-process runs on two Zen 4 cores, ResNet-50 took 1.7% less time at batch 8 (256x128), 2.3% at
    /// 384x128 and 1.7% at batch 1.
    func winogradPassesTiles(height: Int, width: Int, batchWide: Bool) -> Bool {
        let (tilesY, tilesX) = winogradTiles(height: height, width: width)
        return winogradPacked != nil && Self.vectorKernels && (tilesX % 8 == 0 || tilesX == 4)
            && (!batchWide || (tilesY * tilesX) % 16 == 0)
    }

    /// CKernels' output transform of some tile rows into one plane of output channel `channel`, with the
    /// residual (when `accumulate`), the channel's bias and the activation applied in the same pass.
    func transformOutput(
        _ m: UnsafePointer<Float>, point: Int, height: Int, width: Int, tileRows: Range<Int>,
        into plane: UnsafeMutablePointer<Float>, accumulate: Bool, channel: Int
    ) {
        let (h, w, ty0, ty1) = (Int32(height), Int32(width), Int32(tileRows.lowerBound), Int32(tileRows.upperBound))
        precondition(winogradTile.rows == 4, "CKernels transform F(4x4) and F(4x2) tiles only")
        if winogradTile.columns == 4 {
            ck_winograd4_output(m, point, h, w, ty0, ty1, plane, accumulate ? 1 : 0, bias[channel], activation.kernelCode)
        } else {
            ck_winograd42_output(m, point, h, w, ty0, ty1, plane, accumulate ? 1 : 0, bias[channel], activation.kernelCode)
        }
    }

    /// Winograd with the transforms fused around the products: each block of a few tile rows of one
    /// image is transformed, multiplied (one single-threaded packed product per point over the block's
    /// tiles) and transformed back while its V and M are still in cache; threads take whole blocks. Each
    /// output is computed with the same operations as in the unfused path, so the two agree bit for bit.
    private func winogradFused(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        batch: Int, height: Int, width: Int, accumulate: Bool
    ) {
        let points = winogradPoints
        let (tilesY, tilesX) = winogradTiles(height: height, width: width)
        let rowsPerBlock = fusedTileRows(batch: batch, height: height, width: width)
        let blocksPerImage = (tilesY + rowsPerBlock - 1) / rowsPerBlock
        let blockTiles = rowsPerBlock * tilesX
        let planeIn = height * width
        let packed = winogradPacked!
        let tiled = winogradPassesTiles(height: height, width: width, batchWide: false)
        let vPoint = inChannels * (tiled ? (blockTiles + 15) / 16 * 16 : blockTiles) + Self.winogradPointSkew
        let mPoint = outChannels * blockTiles + Self.winogradPointSkew
        let transformScratch = transformInputScratch(width: width)
        let bpanel = ck_sgemm_panel_count(Int32(inChannels))
        // V, M, the transform's rows and the product's copied block of B, each on a 64-byte line (the
        // AVX-512 tiles load the block 16 floats at a time).
        func aligned(_ floats: Int) -> Int { (floats + 15) / 16 * 16 }
        let vFloats = aligned(points * vPoint), mFloats = aligned(points * mPoint), rowFloats = aligned(transformScratch)
        ParallelFor.runShared(batch * blocksPerImage) { forEachBlock in
            withUnsafeTemporaryAllocation(byteCount: (vFloats + mFloats + rowFloats + bpanel) * MemoryLayout<Float>.stride,
                                          alignment: 64) { raw in
                let v = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                let m = v + vFloats
                let rows = m + mFloats
                let panel = rows + rowFloats
                var freshRows = true
                forEachBlock { block in
                    let image = block / blocksPerImage
                    let ty0 = (block % blocksPerImage) * rowsPerBlock, ty1 = min(tilesY, ty0 + rowsPerBlock)
                    let tiles = (ty1 - ty0) * tilesX
                    for ci in 0..<inChannels {
                        transformInput(input + (ci * batch + image) * planeIn, height: height, width: width, tileRows: ty0..<ty1,
                                       into: v + ci * (tiled ? 16 : blockTiles), point: vPoint, tileStride: tiled ? 16 * inChannels : 0,
                                       scratch: rows, freshScratch: freshRows)
                        freshRows = false
                    }
                    for xi in 0..<points {
                        if tiled {
                            GEMM.multiply(packed: packed[xi], n: tiles, tiles: v + xi * vPoint, c: m + xi * mPoint, ldc: blockTiles,
                                          threads: 1)
                        } else {
                            GEMM.multiply(packed: packed[xi], n: tiles, b: v + xi * vPoint, ldb: blockTiles,
                                          c: m + xi * mPoint, ldc: blockTiles, threads: 1, panelScratch: panel)
                        }
                    }
                    for o in 0..<outChannels {
                        transformOutput(m + o * blockTiles, point: mPoint, height: height, width: width, tileRows: ty0..<ty1,
                                        into: output + (o * batch + image) * planeIn, accumulate: accumulate, channel: o)
                    }
                }
            }
        }
    }
}
