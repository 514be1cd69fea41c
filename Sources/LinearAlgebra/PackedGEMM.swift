internal import CKernels
import Foundation

/// A matrix packed once for ``GEMM/multiply(packed:n:b:ldb:c:ldc:accumulate:)``: a layer's weights,
/// packed when the layer is built, so no product repacks them.
public struct PackedMatrix: Sendable {
    /// Rows (m).
    public let rows: Int
    /// Columns (k).
    public let columns: Int
    /// Panels of ``panelRows`` rows, k-major, the last padded with zero rows (CKernels' `ck_sgemm_pack_a`).
    let panels: PanelStorage

    /// Rows per panel of the packed layout.
    public static let panelRows = Int(CK_SGEMM_MR)

    /// Packs the row-major `rows`×`columns` matrix at `values` (row stride `ld`).
    public init(rows: Int, columns: Int, values: UnsafePointer<Float>, ld: Int) {
        precondition(ld >= columns && ld <= Int(Int32.max), "PackedMatrix: ld \(ld) for \(columns) columns")
        self.init(rows: rows, columns: columns, panels: PanelStorage(rows: rows, columns: columns))
        ck_sgemm_pack_a(values, Int32(ld), Int32(rows), Int32(columns), panels.pointer)
    }

    private init(rows: Int, columns: Int, panels: PanelStorage) {
        self.rows = rows
        self.columns = columns
        self.panels = panels
    }

    /// `count` matrices of `rows`×`columns` written straight into their packed layout, without a
    /// row-major copy of them in between (a layer's Winograd matrices, computed filter by filter).
    ///
    /// `fill` gets one pointer per matrix and stores element (r, c) of each at
    /// ``offset(row:column:columns:)``; threads it starts must write disjoint panels (runs of
    /// ``panelRows`` rows). The last panel's padding rows are zero.
    public static func packing(
        count: Int, rows: Int, columns: Int, fill: (_ matrices: [UnsafeMutablePointer<Float>]) -> Void
    ) -> [PackedMatrix] {
        let matrices = (0..<count).map { _ in PackedMatrix(rows: rows, columns: columns, panels: PanelStorage(rows: rows, columns: columns)) }
        let padding = matrices.first.map { $0.panels.count - rows * columns } ?? 0
        if padding > 0 {
            for matrix in matrices {
                for row in rows..<(rows + padding / columns) {
                    for column in 0..<columns { matrix.panels.pointer[offset(row: row, column: column, columns: columns)] = 0 }
                }
            }
        }
        fill(matrices.map(\.panels.pointer))
        return matrices
    }

    /// Where element (`row`, `column`) of a packed matrix of `columns` columns is stored.
    @inline(__always)
    public static func offset(row: Int, column: Int, columns: Int) -> Int {
        (row / panelRows) * columns * panelRows + column * panelRows + row % panelRows
    }

    /// Bytes the packed panels take.
    public var byteCount: Int { panels.count * MemoryLayout<Float>.stride }

    /// Calls `body` with the packed panels (`ck_sgemm_pack_a`'s layout), for kernels of CKernels' own
    /// that multiply by them; the panels live at least as long as the call.
    public func withPanels<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(panels) { try body(panels.pointer) }
    }
}

/// A packed matrix's panels: allocated once, written while the matrix is made, then only read.
final class PanelStorage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// Uninitialised room for a packed `rows`×`columns` matrix.
    init(rows: Int, columns: Int) {
        precondition(rows > 0 && columns > 0, "PackedMatrix: bad shape \(rows)x\(columns)")
        precondition(max(rows, columns) <= Int(Int32.max), "PackedMatrix: dimension exceeds Int32")
        count = ck_sgemm_packed_a_count(Int32(rows), Int32(columns))
        pointer = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
    }

    deinit { pointer.deallocate() }
}

extension GEMM {
    /// Whether this CPU runs the packed product (AVX2 + FMA), read once. `PANOPTES_PORTABLE_KERNELS=1`
    /// turns it off (callers then use ``multiply(m:n:k:a:lda:b:ldb:transposeB:c:ldc:accumulate:)``).
    public static let hasPackedKernel: Bool = {
        if ProcessInfo.processInfo.environment["PANOPTES_PORTABLE_KERNELS"] == "1" { return false }
        return ck_has_avx2_fma() != 0
    }()

    /// Whether the packed product runs its tiles of sixteen columns with AVX-512 (this CPU has AVX-512F),
    /// read once; `PANOPTES_AVX512=0` keeps them on AVX2. The same operations on each output in the same
    /// order, so the same bits, with half the instructions: one 16-float register per tile row, A
    /// broadcast from memory. On AMD Zen 4 (two cores), in alternating in-process runs, whole 6x16 tiles
    /// made ResNet-50 take 1.4% less time at batch 8 and 3.4% less at batch 1, MobileNetV2 2.9% and
    /// 0.4%; a panel's last one to five rows on AVX-512 too (only their chains, where AVX2 computes six
    /// rows) another 1% (ResNet-50) and 0.4-2.8% (MobileNetV2, whose 16- to 320-channel layers end in
    /// such panels). (Wider tiles, 12x16 over two panels or 6x32 over two tiles, took 0.4-6% more there;
    /// on Intel's CPUs two tiles at a time pay: ``TileKernel/avx512Pairs``.)
    /// The depthwise kernel follows it too (`ck_depthwise3x3`'s planes of 16- and 8-float output rows).
    public static let hasAVX512Kernel: Bool = {
        if ProcessInfo.processInfo.environment["PANOPTES_AVX512"] == "0" { return false }
        return hasPackedKernel && ck_has_avx512f() != 0
    }()

    /// How the packed product runs its tiles. Every kind computes each output with the same operations in
    /// the same order: the same bits.
    public enum TileKernel: Int32, Sendable, CaseIterable {
        /// Two 8-float registers per tile row: every AVX2 + FMA CPU.
        case avx2 = 0
        /// One 16-float register per tile row (``hasAVX512Kernel``): six chains a tile.
        case avx512 = 1
        /// Adjacent whole tiles two at a time (``hasAVX512Kernel``): twelve chains, for CPUs with two 512-bit
        /// FMA units, whose results come four cycles after the operands, so eight chains must be in flight
        /// to keep both busy (six kept them 75% busy). On an Intel Xeon (family 6, model 207, two cores), in
        /// alternating in-process runs with identical outputs, ResNet-50 took 20% less time at 384x128
        /// batch 8 (381 → 314 ms) and 18% less at batch 1; MobileNetV2 14% less at 256x128 batch 8. Where
        /// two whole panels of A meet a pair, they go together (12x32, twenty-four chains, each value of B
        /// loaded from L2 serving twelve rows): ResNet-50 another 7.5% less at 384x128 batch 8, 14% at
        /// 256x128; and over a lone tile (12x16, twelve chains: the Winograd products of layer3 and layer4
        /// at batch 1, one tile a point): another 5% less at 256x128 batch 1, and 3-5% less at batch 1
        /// with the weights prefetched ahead of it. A product's last, partial tile goes with the whole one
        /// before it (12x32, prefetching too: 384x128 batch 1, a tile and a half a point, 7% less).
        case avx512Pairs = 2
    }

    /// The tile kernel the packed products run, read once: ``TileKernel/avx512Pairs`` on Intel CPUs with
    /// AVX-512 (`ck_avx512_pairs_pay`), ``TileKernel/avx512`` on other AVX-512 CPUs (on AMD's Zen 4, which
    /// splits a 512-bit multiply-add into two halves, pairs took 0.4-6% more time; measured again once
    /// single tiles copied B as they loaded it (alternating in-process runs, 30 turns): ResNet-50 and
    /// MobileNetV2 at batches of 8 and 16 0.3-1.1% more, at batch 1 0.6-6.7% less, so single tiles
    /// stay), else ``TileKernel/avx2``. `PANOPTES_AVX512_PAIRS=1` or `=0` chooses between the two AVX-512
    /// kernels.
    public static let tileKernel: TileKernel = {
        guard hasAVX512Kernel else { return .avx2 }
        switch ProcessInfo.processInfo.environment["PANOPTES_AVX512_PAIRS"] {
        case "1": return .avx512Pairs
        case "0": return .avx512
        default: return ck_avx512_pairs_pay() != 0 ? .avx512Pairs : .avx512
        }
    }()

    /// The tile kernels this CPU runs (for tests that compare them).
    public static var runnableTileKernels: [TileKernel] {
        hasAVX512Kernel ? TileKernel.allCases : hasPackedKernel ? [.avx2] : []
    }

    /// C = A·B (+ C when `accumulate`), A packed (m×k), B k×n row-major, C m×n.
    ///
    /// With `accumulate`, each output's chain starts from C's value (a residual), rather than C being
    /// added after the sum as OpenBLAS does: the same value to rounding, and still one chain per output.
    ///
    /// Unlike OpenBLAS' sgemm, each column of C is computed the same way wherever it sits and however
    /// wide B is (one chain of fused multiply-adds over k): a product over a whole batch's columns gives
    /// each image exactly what a product over that image alone gives. The work is shared over
    /// ``threadCount`` threads: by 16-column tiles of C when there are many, else by 6-row panels (a
    /// late layer of one image has few columns and many rows). Only where ``hasPackedKernel``.
    ///
    /// - Parameters:
    ///   - epilogue: a bias per row of C and an activation code (0 identity, 1 relu, 2 relu6) applied to
    ///     each output after its product (and residual), in the same pass.
    ///   - threads: at most this many threads (1 inside work that is already shared over threads).
    ///   - panelScratch: with `threads` 1, room for the copied block of B (`ck_sgemm_panel_count(k)`
    ///     floats, 32-byte aligned, best 64), so a caller in a loop allocates it once.
    ///   - kernel: the tile kernel (one of ``runnableTileKernels``); tests compare them.
    public static func multiply(
        packed a: PackedMatrix, n: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
        epilogue: (bias: UnsafePointer<Float>, activation: Int32)? = nil,
        threads maxThreads: Int = threadCount, panelScratch: UnsafeMutablePointer<Float>? = nil,
        kernel: TileKernel = tileKernel
    ) {
        precondition(n > 0 && ldb >= n, "GEMM packed: n=\(n) ldb=\(ldb)")
        precondition(ldb <= Int(Int32.max), "GEMM packed: dimension exceeds Int32")
        packedProduct(packed: a, n: n, b: b, ldb: ldb, implicit: nil, tiled: false, c: c, ldc: ldc, accumulate: accumulate,
                      epilogue: epilogue, threads: maxThreads, panelScratch: panelScratch, kernel: kernel)
    }

    /// C = A·B (+ C when `accumulate`) where B is a convolution's im2col matrix, gathered block by block
    /// from `im2col`'s input as the product goes: the same outputs as `multiply(packed:n:b:...)` on the
    /// explicit matrix, without it in memory (n = images × output pixels).
    public static func multiply(
        packed a: PackedMatrix, n: Int, im2col: Im2colSource,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
        epilogue: (bias: UnsafePointer<Float>, activation: Int32)? = nil
    ) {
        precondition(a.columns == im2col.rows, "GEMM im2col: A has \(a.columns) columns, the source \(im2col.rows) rows")
        precondition(n > 0 && n <= (im2col.planes - im2col.firstImage) * im2col.outputHeight * im2col.outputWidth,
                     "GEMM im2col: n=\(n) columns past the source's images")
        var source = im2col.kernelSource
        withUnsafePointer(to: &source) { source in
            packedProduct(packed: a, n: n, b: nil, ldb: 0, implicit: source, tiled: false, c: c, ldc: ldc, accumulate: accumulate,
                          epilogue: epilogue, threads: threadCount, panelScratch: nil, kernel: tileKernel)
        }
    }

    /// C = A·B (+ C when `accumulate`), where B (k×n) is already in 16-column tiles: tile t is k rows of
    /// 16 floats at `tiles + t·k·16`, 32-byte aligned (what `ck_depthwise3x3` and the Winograd input
    /// transforms write with a tile stride). The same outputs, bit for bit, as
    /// `multiply(packed:n:b:ldb:...)` on B row-major, shared over threads the same way, without copying
    /// B into tiles; a last tile's columns past `n` reach no output.
    public static func multiply(
        packed a: PackedMatrix, n: Int, tiles: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
        epilogue: (bias: UnsafePointer<Float>, activation: Int32)? = nil,
        threads maxThreads: Int = threadCount, kernel: TileKernel = tileKernel
    ) {
        precondition(Int(bitPattern: tiles) % 32 == 0, "GEMM packed tiles: B's tiles must start 32-byte aligned")
        packedProduct(packed: a, n: n, b: tiles, ldb: 0, implicit: nil, tiled: true, c: c, ldc: ldc, accumulate: accumulate,
                      epilogue: epilogue, threads: maxThreads, panelScratch: nil, kernel: kernel)
    }

    private static func packedProduct(
        packed a: PackedMatrix, n: Int, b: UnsafePointer<Float>?, ldb: Int, implicit: UnsafePointer<ck_im2col>?, tiled: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
        epilogue: (bias: UnsafePointer<Float>, activation: Int32)?, threads maxThreads: Int,
        panelScratch: UnsafeMutablePointer<Float>?, kernel: TileKernel
    ) {
        precondition(hasPackedKernel, "GEMM.multiply(packed:): this CPU has no AVX2 + FMA")
        precondition(kernel == .avx2 || hasAVX512Kernel, "GEMM.multiply(packed:): AVX-512 tiles asked for where they do not run")
        precondition(n > 0 && ldc >= n, "GEMM packed: n=\(n) ldc=\(ldc)")
        precondition(n <= Int(Int32.max) && ldc <= Int(Int32.max), "GEMM packed: dimension exceeds Int32")
        let m = a.rows, k = a.columns
        let tiles = (n + 15) / 16, panelCount = (m + 5) / 6
        // Threads split the columns when each gets at least 8 tiles, else the rows: with fewer columns
        // (ResNet-50's layer3 and layer4 at batch 1: 8 or 12 tiles) every thread streaming all the weights
        // for its few tiles cost more than each copying all of B and streaming half of them (at 4 tiles
        // a thread, batch 1 ran 1-5% slower in alternating runs).
        let byTiles = tiles >= 8 * threadCount
        // Threads only when each gets enough work to pay for waking it (about 1 MFLOP).
        let threads = min(maxThreads, threadCount, byTiles ? tiles : panelCount, max(1, m * k * n / (1 << 19)))
        a.withPanels { panels in
            func product(tiles t0: Int, _ t1: Int, ahead: Int? = nil, panels p0: Int, _ p1: Int, scratch: UnsafeMutablePointer<Float>?) {
                if tiled {
                    ck_sgemm_packed_tiles(Int32(m), Int32(n), Int32(k), panels, b, c, Int32(ldc), accumulate ? 1 : 0, epilogue?.bias,
                                          epilogue?.activation ?? 0, Int32(t0), Int32(t1), Int32(p0), Int32(p1), kernel.rawValue)
                    return
                }
                ck_sgemm_packed(Int32(m), Int32(n), Int32(k), panels, b, Int32(ldb), implicit, c, Int32(ldc), accumulate ? 1 : 0,
                                epilogue?.bias, epilogue?.activation ?? 0, Int32(t0), Int32(t1), Int32(ahead ?? t1), Int32(p0), Int32(p1),
                                scratch, kernel.rawValue)
            }
            if threads <= 1, tiled || panelScratch != nil {
                product(tiles: 0, tiles, panels: 0, panelCount, scratch: panelScratch)
                return
            }
            // Each thread copies B into its own scratch. Tiles are shared (`WorkerPool.runShared`, a
            // block of B at least a claim), so that the share of a thread on a slowed core passes to the
            // others; panels are split evenly.
            func withScratch(_ run: (UnsafeMutablePointer<Float>?) -> Void) {
                // B already in tiles: nothing to copy, so no scratch.
                guard !tiled else { return run(nil) }
                withUnsafeTemporaryAllocation(byteCount: ck_sgemm_panel_count(Int32(k)) * MemoryLayout<Float>.stride, alignment: 64) { raw in
                    run(raw.baseAddress!.assumingMemoryBound(to: Float.self))
                }
            }
            if byTiles {
                WorkerPool.runShared(threads, items: tiles, grain: Int(ck_sgemm_block_tiles(Int32(k)))) { _, forEachClaim in
                    withScratch { scratch in
                        forEachClaim { items, ahead in
                            product(tiles: items.lowerBound, items.upperBound, ahead: ahead, panels: 0, panelCount, scratch: scratch)
                        }
                    }
                }
                return
            }
            WorkerPool.run(threads) { slice in
                let p0 = panelCount * slice / threads, p1 = panelCount * (slice + 1) / threads
                guard p0 < p1 else { return }
                withScratch { scratch in product(tiles: 0, tiles, panels: p0, p1, scratch: scratch) }
            }
        }
    }
}

/// A convolution's input seen as its im2col matrix (row (ci, ky, kx), column (image, oy, ox)), for
/// ``GEMM/multiply(packed:n:im2col:c:ldc:accumulate:epilogue:)``.
public struct Im2colSource {
    /// The input, `[channels][planes][height][width]`.
    public var input: UnsafePointer<Float>
    /// Input channels (a group's, for a dense convolution all of them).
    public var channels: Int
    /// Images per channel in `input`.
    public var planes: Int
    /// Input rows and columns.
    public var height: Int
    public var width: Int
    /// The image of column 0.
    public var firstImage: Int
    /// The convolution's kernel, stride and zero padding.
    public var kernel: (height: Int, width: Int)
    public var stride: (y: Int, x: Int)
    public var padding: (y: Int, x: Int)
    /// Output rows and columns.
    public var outputHeight: Int
    public var outputWidth: Int

    public init(input: UnsafePointer<Float>, channels: Int, planes: Int, height: Int, width: Int, firstImage: Int = 0,
                kernel: (height: Int, width: Int), stride: (y: Int, x: Int), padding: (y: Int, x: Int),
                outputHeight: Int, outputWidth: Int) {
        precondition(max(channels * planes * height * width, channels * kernel.height * kernel.width) <= Int(Int32.max),
                     "Im2colSource: dimension exceeds Int32")
        self.input = input
        self.channels = channels
        self.planes = planes
        self.height = height
        self.width = width
        self.firstImage = firstImage
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
    }

    /// Rows of the matrix: channels × kernel taps.
    public var rows: Int { channels * kernel.height * kernel.width }

    /// Writes `columns` of row `row` (= (ci, ky, kx)) of the matrix to `dst`, zeros in the padding: the
    /// explicit matrix, for products that are not the packed one (the same fill the packed one uses).
    public func fill(row: Int, columns: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        precondition(row >= 0 && row < rows && columns.lowerBound >= 0
                     && columns.upperBound <= (planes - firstImage) * outputHeight * outputWidth,
                     "Im2colSource.fill: row \(row) or columns \(columns) outside the matrix")
        var source = kernelSource
        ck_im2col_row(&source, Int32(row), Int32(columns.lowerBound), Int32(columns.count), dst)
    }

    var kernelSource: ck_im2col {
        ck_im2col(input: input, planes: Int32(planes), height: Int32(height), width: Int32(width), image0: Int32(firstImage),
                  kernel_h: Int32(kernel.height), kernel_w: Int32(kernel.width), stride_y: Int32(stride.y),
                  stride_x: Int32(stride.x), pad_y: Int32(padding.y), pad_x: Int32(padding.x),
                  out_h: Int32(outputHeight), out_w: Int32(outputWidth))
    }
}
