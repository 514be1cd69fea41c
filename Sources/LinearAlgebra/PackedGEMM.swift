internal import CKernels
import Foundation

/// A matrix packed once for ``GEMM/multiply(packed:n:b:ldb:c:ldc:accumulate:)``: a layer's weights,
/// packed when the layer is built, so no product repacks them.
public struct PackedMatrix: Sendable {
    /// Rows (m).
    public let rows: Int
    /// Columns (k).
    public let columns: Int
    /// Panels of 6 rows, k-major, the last padded with zero rows (CKernels' `ck_sgemm_pack_a`).
    let panels: [Float]

    /// Packs the row-major `rows`×`columns` matrix at `values` (row stride `ld`).
    public init(rows: Int, columns: Int, values: UnsafePointer<Float>, ld: Int) {
        precondition(rows > 0 && columns > 0 && ld >= columns, "PackedMatrix: bad shape \(rows)x\(columns), ld \(ld)")
        precondition(max(rows, columns, ld) <= Int(Int32.max), "PackedMatrix: dimension exceeds Int32")
        self.rows = rows
        self.columns = columns
        panels = [Float](unsafeUninitializedCapacity: ck_sgemm_packed_a_count(Int32(rows), Int32(columns))) { buffer, count in
            ck_sgemm_pack_a(values, Int32(ld), Int32(rows), Int32(columns), buffer.baseAddress!)
            count = buffer.count
        }
    }

    /// Bytes the packed panels take.
    public var byteCount: Int { panels.count * MemoryLayout<Float>.stride }
}

extension GEMM {
    /// Whether this CPU runs the packed product (AVX2 + FMA), read once. `PANOPTES_PORTABLE_KERNELS=1`
    /// turns it off (callers then use ``multiply(m:n:k:a:lda:b:ldb:transposeB:c:ldc:accumulate:)``).
    public static let hasPackedKernel: Bool = {
        if ProcessInfo.processInfo.environment["PANOPTES_PORTABLE_KERNELS"] == "1" { return false }
        return ck_has_avx2_fma() != 0
    }()

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
    ///     floats, 32-byte aligned), so a caller in a loop allocates it once.
    public static func multiply(
        packed a: PackedMatrix, n: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool = false,
        epilogue: (bias: UnsafePointer<Float>, activation: Int32)? = nil,
        threads maxThreads: Int = threadCount, panelScratch: UnsafeMutablePointer<Float>? = nil
    ) {
        precondition(hasPackedKernel, "GEMM.multiply(packed:): this CPU has no AVX2 + FMA")
        precondition(n > 0 && ldb >= n && ldc >= n, "GEMM packed: n=\(n) ldb=\(ldb) ldc=\(ldc)")
        precondition(n <= Int(Int32.max) && ldb <= Int(Int32.max) && ldc <= Int(Int32.max), "GEMM packed: dimension exceeds Int32")
        let m = a.rows, k = a.columns
        let tiles = (n + 15) / 16, panelCount = (m + 5) / 6
        let byTiles = tiles >= 4 * threadCount
        // Threads only when each gets enough work to pay for waking it (about 1 MFLOP).
        let threads = min(maxThreads, threadCount, byTiles ? tiles : panelCount, max(1, m * k * n / (1 << 19)))
        a.panels.withUnsafeBufferPointer { panels in
            func product(tiles t0: Int, _ t1: Int, panels p0: Int, _ p1: Int, scratch: UnsafeMutablePointer<Float>) {
                ck_sgemm_packed(Int32(m), Int32(n), Int32(k), panels.baseAddress!, b, Int32(ldb), c, Int32(ldc), accumulate ? 1 : 0,
                                epilogue?.bias, epilogue?.activation ?? 0, Int32(t0), Int32(t1), Int32(p0), Int32(p1), scratch)
            }
            if threads <= 1, let panelScratch {
                product(tiles: 0, tiles, panels: 0, panelCount, scratch: panelScratch)
                return
            }
            // Each thread takes a contiguous run of tiles (or of panels) and copies B into its own scratch.
            let parts = byTiles ? tiles : panelCount
            WorkerPool.run(threads) { slice in
                let s0 = parts * slice / threads, s1 = parts * (slice + 1) / threads
                guard s0 < s1 else { return }
                withUnsafeTemporaryAllocation(byteCount: ck_sgemm_panel_count(Int32(k)) * MemoryLayout<Float>.stride, alignment: 64) { raw in
                    let scratch = raw.baseAddress!.assumingMemoryBound(to: Float.self)
                    if byTiles {
                        product(tiles: s0, s1, panels: 0, panelCount, scratch: scratch)
                    } else {
                        product(tiles: 0, tiles, panels: s0, s1, scratch: scratch)
                    }
                }
            }
        }
    }
}
