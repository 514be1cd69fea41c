import LinearAlgebra
import TestSupport
import XCTest

/// The packed product (CKernels' AVX2 + FMA kernel) against OpenBLAS on odd shapes, and the property it
/// exists for: a column of C is computed the same way wherever it sits and however wide the product is.
final class PackedGEMMTests: XCTestCase {
    private static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(2 * generator.unit() - 1) }
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(GEMM.hasPackedKernel, "this CPU has no AVX2 + FMA: the packed product is not used here")
    }

    /// C = A·B (+ C) on `m`×`k` by `k`×`n` with padded strides; A is packed from a matrix with `lda > k`.
    /// With `epilogue`, a bias per row (from `bias`) and that activation code.
    private static func packedProduct(
        m: Int, n: Int, k: Int, a: [Float], lda: Int, b: [Float], ldb: Int, initial: [Float], ldc: Int, accumulate: Bool,
        bias: [Float] = [], activation: Int32? = nil, kernel: GEMM.TileKernel = GEMM.tileKernel
    ) -> [Float] {
        let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, values: $0.baseAddress!, ld: lda) }
        var c = initial
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                bias.withUnsafeBufferPointer { pbias in
                    GEMM.multiply(packed: packed, n: n, b: pb.baseAddress!, ldb: ldb, c: pc.baseAddress!, ldc: ldc, accumulate: accumulate,
                                  epilogue: activation.map { (pbias.baseAddress!, $0) }, kernel: kernel)
                }
            }
        }
        return c
    }

    /// Where the CPU has AVX-512F, tiles of sixteen columns run on it (whole ones, and a panel's last one to
    /// five rows), one at a time or whole ones two at a time, and with tile pairs two whole panels at once
    /// (12x32 blocks over pairs, the second tile whole or a last partial one; 12x16 over a lone tile, whole
    /// or partial); every kind must give the bits of the AVX2 tiles, which every other AVX2 CPU runs: rows
    /// and columns that fill some tiles and not others (every count of last rows; an odd tile left after
    /// the pairs, whole or not: (12, 80, 30) puts two panels over a lone whole tile, (13, 40, 64) over a
    /// partial one; (12, 56, 30) and (24, 20, 600) over a whole tile and a last partial one together),
    /// depths of one block and of several (chains resumed from C), a residual, and each activation after a
    /// bias. With tile pairs the first two panels copy B into the block's tiles as they load it, with single
    /// AVX-512 tiles the first panel, and the other panels read those tiles: a wrong copy shows in every
    /// panel after them.
    func testAVX512Tiles_giveTheAVX2TilesBits() throws {
        try XCTSkipUnless(GEMM.hasAVX512Kernel, "this CPU has no AVX-512F (or PANOPTES_AVX512=0): only the AVX2 tiles run here")
        XCTAssertEqual(GEMM.runnableTileKernels, [.avx2, .avx512, .avx512Pairs], "every AVX-512 tile kernel compared")
        for (m, n, k) in [(6, 16, 27), (13, 40, 64), (64, 1024, 600), (37, 129, 1100), (320, 32, 960), (23, 48, 40), (9, 32, 17), (12, 80, 30), (7, 95, 9),
                          (12, 56, 30), (24, 20, 600)] {
            for (accumulate, activation) in [(false, nil), (false, 1), (true, 2), (true, 0)] as [(Bool, Int32?)] {
                let lda = k + 3, ldb = n + 2, ldc = n + 1
                let a = Self.values(m * lda, seed: 11), b = Self.values(k * ldb, seed: 12), initial = Self.values(m * ldc, seed: 13)
                let bias = Self.values(m, seed: 14).map { $0 * 4 }
                let products = GEMM.runnableTileKernels.map { kernel in
                    Self.packedProduct(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, initial: initial, ldc: ldc,
                                       accumulate: accumulate, bias: bias, activation: activation, kernel: kernel)
                }
                for (kernel, product) in zip(GEMM.runnableTileKernels, products).dropFirst() {
                    let differing = zip(products[0], product).filter { $0.bitPattern != $1.bitPattern }.count
                    XCTAssertEqual(differing, 0, "m \(m) n \(n) k \(k) accumulate \(accumulate) activation \(activation.map(String.init) ?? "none") \(kernel)")
                }
            }
        }
    }

    /// A B already in 16-column tiles (as MobileNetV2's depthwise layers write it for their projection)
    /// gives, bit for bit, the product of the same B row-major: columns that fill the last tile and not,
    /// depths of one block and of several, a residual, each activation, every tile kernel; a last tile's
    /// columns past n hold NaNs and reach no output. (A row-major B is copied into tiles as the first
    /// panel's tiles load it: 11x48x4096 gives the second thread a first panel of five rows.)
    func testTiledB_givesTheRowMajorProductBitForBit() throws {
        for (m, n, k) in [(6, 16, 27), (24, 512, 144), (13, 40, 64), (320, 32, 960), (37, 129, 1100), (9, 8, 17), (12, 24, 40),
                          (11, 48, 4096)] {
            for (accumulate, activation) in [(false, nil), (false, 1), (true, 2), (true, 0)] as [(Bool, Int32?)] {
                for kernel in GEMM.runnableTileKernels {
                    let ldc = n + 1
                    let a = Self.values(m * k, seed: 21), b = Self.values(k * n, seed: 22), initial = Self.values(m * ldc, seed: 23)
                    let bias = Self.values(m, seed: 24).map { $0 * 4 }
                    let rowMajor = Self.packedProduct(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, initial: initial, ldc: ldc,
                                                      accumulate: accumulate, bias: bias, activation: activation, kernel: kernel)
                    let tiles = (n + 15) / 16
                    let tiled = UnsafeMutablePointer<Float>.allocate(capacity: tiles * k * 16 + 16)
                    defer { tiled.deallocate() }
                    let aligned = tiled + (16 - Int(bitPattern: tiled) / 4 % 16) % 16
                    aligned.initialize(repeating: .nan, count: tiles * k * 16)
                    for r in 0..<k { for j in 0..<n { aligned[(j / 16) * k * 16 + r * 16 + j % 16] = b[r * n + j] } }
                    let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, values: $0.baseAddress!, ld: k) }
                    var c = initial
                    c.withUnsafeMutableBufferPointer { pc in
                        bias.withUnsafeBufferPointer { pbias in
                            GEMM.multiply(packed: packed, n: n, tiles: aligned, c: pc.baseAddress!, ldc: ldc, accumulate: accumulate,
                                          epilogue: activation.map { (pbias.baseAddress!, $0) }, kernel: kernel)
                        }
                    }
                    let differing = zip(c, rowMajor).filter { $0.bitPattern != $1.bitPattern }.count
                    XCTAssertEqual(differing, 0, "m \(m) n \(n) k \(k) accumulate \(accumulate) activation \(activation.map(String.init) ?? "none") \(kernel)")
                }
            }
        }
    }

    /// The implicit im2col product gives, bit for bit, the product of the explicit matrix: strides 1, 2
    /// and 3, padding wider than some rows, several images (columns crossing image and row boundaries
    /// inside a tile), a first image past 0, and enough columns for several blocks and both threads.
    /// Stride 2 with output rows a multiple of 8 wide is gathered straight into the tiles, a 3x3's three
    /// taps of a row together: rows of 8 and 16 outputs, odd input widths (the last window past the row),
    /// no padding, a last tile half full, 1x1 and 5x5 kernels (a row at a time), and a depth past a block
    /// (1170 rows: a block boundary between the taps of one input row).
    func testImplicitIm2col_equalsTheExplicitMatrixBitForBit() {
        let shapes: [(cin: Int, planes: Int, first: Int, h: Int, w: Int, kh: Int, kw: Int, sy: Int, sx: Int, py: Int, px: Int)] = [
            (3, 3, 0, 13, 11, 7, 7, 2, 2, 3, 3), (5, 2, 1, 9, 7, 3, 3, 2, 2, 1, 1), (4, 2, 0, 6, 5, 5, 5, 1, 1, 0, 0),
            (2, 3, 1, 7, 10, 3, 2, 1, 3, 2, 1), (16, 4, 0, 41, 21, 3, 3, 2, 2, 1, 1),
            (130, 3, 1, 13, 15, 3, 3, 2, 2, 1, 1), (6, 3, 0, 32, 32, 3, 3, 2, 2, 1, 1), (3, 2, 0, 17, 17, 3, 3, 2, 2, 0, 0),
            (4, 2, 1, 9, 16, 1, 1, 2, 2, 0, 0), (2, 2, 0, 11, 31, 5, 5, 2, 2, 2, 2),
        ]
        for s in shapes {
            let oh = (s.h + 2 * s.py - s.kh) / s.sy + 1, ow = (s.w + 2 * s.px - s.kw) / s.sx + 1
            let images = s.planes - s.first, n = images * oh * ow, k = s.cin * s.kh * s.kw, m = 13
            let input = Self.values(s.cin * s.planes * s.h * s.w, seed: 4), a = Self.values(m * k, seed: 5)
            // The explicit matrix, from its definition.
            var explicit = [Float](repeating: 0, count: k * n)
            for ci in 0..<s.cin { for ky in 0..<s.kh { for kx in 0..<s.kw {
                let r = (ci * s.kh + ky) * s.kw + kx
                for image in 0..<images { for oy in 0..<oh { for ox in 0..<ow {
                    let iy = oy * s.sy - s.py + ky, ix = ox * s.sx - s.px + kx
                    guard iy >= 0, iy < s.h, ix >= 0, ix < s.w else { continue }
                    explicit[r * n + (image * oh + oy) * ow + ox] = input[((ci * s.planes + s.first + image) * s.h + iy) * s.w + ix]
                } } }
            } } }
            let packed = a.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, values: $0.baseAddress!, ld: k) }
            var viaMatrix = [Float](repeating: 0, count: m * n), implicit = viaMatrix
            explicit.withUnsafeBufferPointer { b in
                GEMM.multiply(packed: packed, n: n, b: b.baseAddress!, ldb: n, c: &viaMatrix, ldc: n)
            }
            input.withUnsafeBufferPointer { x in
                let source = Im2colSource(input: x.baseAddress!, channels: s.cin, planes: s.planes, height: s.h, width: s.w,
                                          firstImage: s.first, kernel: (s.kh, s.kw), stride: (s.sy, s.sx), padding: (s.py, s.px),
                                          outputHeight: oh, outputWidth: ow)
                GEMM.multiply(packed: packed, n: n, im2col: source, c: &implicit, ldc: n)
            }
            XCTAssertEqual(implicit, viaMatrix, "\(s)")
        }
    }

    func testPackedProduct_oddShapes_agreesWithOpenBLAS() {
        // Rows not a multiple of 6, columns not a multiple of 16, one and many tiles and panels, both ways of
        // sharing the work between threads (many tiles: by columns; few: by rows), deep and shallow k. With
        // tile pairs, the first two panels copy B into the tiles as they load it (every shape of 12 rows or
        // more; (13, 1, 31) and (61, 300, 2051) leave a lone partial tile in a block).
        for (m, n, k) in [(1, 1, 1), (7, 13, 5), (13, 1, 31), (6, 16, 64), (33, 17, 9), (320, 32, 960), (96, 4099, 16), (61, 300, 2051)] {
            for accumulate in [false, true] {
                let lda = k + 3, ldb = n + 2, ldc = n + 1
                let a = Self.values(m * lda, seed: 1), b = Self.values(k * ldb, seed: 2), initial = Self.values(m * ldc, seed: 3)
                let ours = Self.packedProduct(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, initial: initial, ldc: ldc,
                                              accumulate: accumulate)
                var theirs = initial
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        theirs.withUnsafeMutableBufferPointer { pc in
                            GEMM.multiply(m: m, n: n, k: k, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                          c: pc.baseAddress!, ldc: ldc, accumulate: accumulate)
                        }
                    }
                }
                var worst: Float = 0
                for i in 0..<m {
                    for j in 0..<n { worst = max(worst, abs(ours[i * ldc + j] - theirs[i * ldc + j])) }
                    // Padding columns of C are left as they were.
                    XCTAssertEqual(ours[i * ldc + n], initial[i * ldc + n], "m \(m) n \(n) k \(k): wrote past column n")
                }
                // Both sum k products of values in [-1, 1): rounding differs by far less than 1e-5·k.
                XCTAssertLessThanOrEqual(worst, 1e-5 * Float(k), "m \(m) n \(n) k \(k) accumulate \(accumulate)")
            }
        }
    }

    /// What lets a convolution run one product over its whole batch: three images' columns side by side
    /// give each image, bit for bit, what that image alone gives (OpenBLAS' sgemm does not).
    func testPackedProduct_imageAmongOthers_equalsTheImageAloneBitForBit() {
        // Shapes of MobileNetV2's and ResNet-50's convolutions (out channels, in channels, pixels), odd ones too.
        for (m, k, plane) in [(16, 27, 8192), (96, 16, 8192), (1280, 320, 32), (64, 384, 128), (24, 144, 2048), (7, 13, 33)] {
            let batch = 3
            let a = Self.values(m * k, seed: 4), b = Self.values(k * plane * batch, seed: 5)
            let together = Self.packedProduct(m: m, n: plane * batch, k: k, a: a, lda: k, b: b, ldb: plane * batch,
                                              initial: [Float](repeating: 0, count: m * plane * batch), ldc: plane * batch,
                                              accumulate: false)
            for image in 0..<batch {
                var alone = [Float](repeating: 0, count: k * plane)
                for r in 0..<k { for j in 0..<plane { alone[r * plane + j] = b[r * plane * batch + image * plane + j] } }
                let out = Self.packedProduct(m: m, n: plane, k: k, a: a, lda: k, b: alone, ldb: plane,
                                             initial: [Float](repeating: 0, count: m * plane), ldc: plane, accumulate: false)
                var differing = 0
                for r in 0..<m { for j in 0..<plane where out[r * plane + j] != together[r * plane * batch + image * plane + j] { differing += 1 } }
                XCTAssertEqual(differing, 0, "m \(m) k \(k) plane \(plane) image \(image)")
            }
        }
    }

    /// Matrices written straight into the packed layout (`PackedMatrix.packing`, how a layer's Winograd
    /// matrices are made) multiply exactly as the same matrices packed from a row-major copy: every
    /// element lands where the kernel reads it, and the last panel's padding rows change nothing.
    func testPackingInPlace_givesTheProductsOfPackingACopy_bitForBit() {
        for (m, k, n) in [(7, 13, 33), (6, 5, 16), (64, 64, 100), (13, 256, 48)] {
            let matrices = (0..<3).map { Self.values(m * k, seed: UInt64(10 + $0)) }
            let inPlace = PackedMatrix.packing(count: 3, rows: m, columns: k) { pointers in
                for (pointer, values) in zip(pointers, matrices) {
                    for r in 0..<m {
                        for c in 0..<k { pointer[PackedMatrix.offset(row: r, column: c, columns: k)] = values[r * k + c] }
                    }
                }
            }
            let b = Self.values(k * n, seed: 20)
            for (packed, values) in zip(inPlace, matrices) {
                let copied = values.withUnsafeBufferPointer { PackedMatrix(rows: m, columns: k, values: $0.baseAddress!, ld: k) }
                XCTAssertEqual(packed.byteCount, copied.byteCount, "\(m)x\(k)")
                var c1 = [Float](repeating: 0, count: m * n), c2 = c1
                b.withUnsafeBufferPointer { pb in
                    c1.withUnsafeMutableBufferPointer { GEMM.multiply(packed: packed, n: n, b: pb.baseAddress!, ldb: n, c: $0.baseAddress!, ldc: n) }
                    c2.withUnsafeMutableBufferPointer { GEMM.multiply(packed: copied, n: n, b: pb.baseAddress!, ldb: n, c: $0.baseAddress!, ldc: n) }
                }
                XCTAssertEqual(c1, c2, "\(m)x\(k) by \(n)")
                XCTAssertNotEqual(c1, [Float](repeating: 0, count: m * n))
            }
        }
    }
}
