/// DeepSORT's constant-velocity Kalman filter over a box's centre x, centre y, aspect ratio and height.
///
/// The state is `[cx, cy, a, h, vcx, vcy, va, vh]`; one step is one frame. Process and measurement
/// noise scale with the box height, with DeepSORT's weights (1/20 for position, 1/160 for velocity).
public struct KalmanBoxFilter: Sendable, Equatable, Codable {
    /// The state mean, 8 values.
    public private(set) var mean: [Double]
    /// The state covariance, 8x8 row-major.
    public private(set) var covariance: [Double]

    /// Weight of position noise relative to the box height (DeepSORT: 1/20).
    public static let positionWeight = 1.0 / 20
    /// Weight of velocity noise relative to the box height (DeepSORT: 1/160).
    public static let velocityWeight = 1.0 / 160

    /// Starts a filter at `box` with zero velocity and DeepSORT's initial uncertainty.
    public init(box: BoundingBox) {
        let (cx, cy, a, h) = box.xyah
        mean = [cx, cy, a, h, 0, 0, 0, 0]
        let p = Self.positionWeight, v = Self.velocityWeight
        let std = [2 * p * h, 2 * p * h, 1e-2, 2 * p * h, 10 * v * h, 10 * v * h, 1e-5, 10 * v * h]
        covariance = [Double](repeating: 0, count: 64)
        for i in 0..<8 { covariance[i * 9] = std[i] * std[i] }
    }

    private enum CodingKeys: String, CodingKey { case mean, covariance }

    /// Decodes a filter from a checkpoint, refusing a state or covariance of the wrong size.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mean = try c.decode([Double].self, forKey: .mean)
        covariance = try c.decode([Double].self, forKey: .covariance)
        guard mean.count == 8, covariance.count == 64 else {
            throw DecodingError.dataCorruptedError(forKey: .mean, in: c,
                                                   debugDescription: "a box filter has 8 state values and 64 covariances, not \(mean.count) and \(covariance.count)")
        }
    }

    /// The predicted box (the state's position part).
    public var box: BoundingBox { BoundingBox(xyah: mean[0], mean[1], mean[2], mean[3]) }

    /// Advances one frame: `x = F x`, `P = F P Fᵀ + Q`.
    ///
    /// In place, without temporaries: F = [[I, I], [0, I]], so F P adds rows 4..<8 to rows 0..<4 (rows
    /// 4..<8 are not changed by that), then (F P) Fᵀ adds columns 4..<8 to columns 0..<4.
    public mutating func predict() {
        let h = mean[3]
        let p = Self.positionWeight * h, v = Self.velocityWeight * h
        for i in 0..<4 { mean[i] += mean[i + 4] }
        covariance.withUnsafeMutableBufferPointer { c in
            for i in 0..<4 {
                for j in 0..<8 { c[i * 8 + j] += c[(i + 4) * 8 + j] }
            }
            for i in 0..<8 {
                for j in 0..<4 { c[i * 8 + j] += c[i * 8 + j + 4] }
            }
            c[0] += p * p
            c[9] += p * p
            c[18] += 1e-2 * 1e-2
            c[27] += p * p
            c[36] += v * v
            c[45] += v * v
            c[54] += 1e-5 * 1e-5
            c[63] += v * v
        }
    }

    /// The measurement-space projection: mean and covariance (4x4 row-major, measurement noise added).
    func projected() -> (mean: SIMD4<Double>, covariance: SIMD16<Double>) {
        let h = mean[3]
        let p = Self.positionWeight * h
        let r = SIMD4(p * p, p * p, 1e-1 * 1e-1, p * p)
        var s = SIMD16<Double>()
        for i in 0..<4 {
            for j in 0..<4 { s[i * 4 + j] = covariance[i * 8 + j] }
            s[i * 5] += r[i]
        }
        return (SIMD4(mean[0], mean[1], mean[2], mean[3]), s)
    }

    /// Squared Mahalanobis distance between the projected state and `box` (4 degrees of freedom;
    /// the chi-square 0.95 gate is 9.4877).
    public func gatingDistance(to box: BoundingBox) -> Double {
        gate().distance(to: box)
    }

    /// The projected state factored once, to measure many boxes against it without allocating.
    public func gate() -> Gate {
        let (m, s) = projected()
        return Gate(mean: m, factor: Self.cholesky4(s))
    }

    /// The measurement-space mean and the Cholesky factor of its covariance, for Mahalanobis distances.
    public struct Gate: Sendable {
        let mean: SIMD4<Double>
        /// The covariance's lower triangular factor, row-major 4x4; nil when not positive definite.
        let factor: SIMD16<Double>?

        /// Squared Mahalanobis distance from the projected state to `box` (infinity when degenerate).
        public func distance(to box: BoundingBox) -> Double {
            guard let l = factor else { return .infinity }
            let (cx, cy, a, h) = box.xyah
            let z = KalmanBoxFilter.forward(l, SIMD4(cx, cy, a, h) - mean)
            return (z * z).sum()
        }
    }

    /// Corrects the state with a measured box: `K = P Hᵀ S⁻¹`, `x += K (z − H x)`, `P −= K S Kᵀ`.
    public mutating func update(with box: BoundingBox) {
        let (m, s) = projected()
        guard let l = Self.cholesky4(s) else { return }
        let (cx, cy, a, h) = box.xyah
        let innovation = SIMD4(cx, cy, a, h) - m
        // H P is P's first 4 rows (4x8), copied before P changes. Row `i` of K solves S kᵢ = column i of H P.
        var hp = SIMD32<Double>()
        for k in 0..<32 { hp[k] = covariance[k] }
        covariance.withUnsafeMutableBufferPointer { c in
            for i in 0..<8 {
                let k = Self.backward(l, Self.forward(l, SIMD4(hp[i], hp[8 + i], hp[16 + i], hp[24 + i])))
                mean[i] += (k * innovation).sum()
                // P − K S Kᵀ = P − K (H P), since S Kᵀ = H P.
                for j in 0..<8 {
                    c[i * 8 + j] -= k[0] * hp[j] + k[1] * hp[8 + j] + k[2] * hp[16 + j] + k[3] * hp[24 + j]
                }
            }
        }
    }

    /// Solves `L z = b` (L lower triangular, row-major 4x4).
    static func forward(_ l: SIMD16<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
        let z0 = b[0] / l[0]
        let z1 = (b[1] - l[4] * z0) / l[5]
        let z2 = (b[2] - l[8] * z0 - l[9] * z1) / l[10]
        let z3 = (b[3] - l[12] * z0 - l[13] * z1 - l[14] * z2) / l[15]
        return SIMD4(z0, z1, z2, z3)
    }

    /// Solves `Lᵀ x = z`.
    static func backward(_ l: SIMD16<Double>, _ z: SIMD4<Double>) -> SIMD4<Double> {
        let x3 = z[3] / l[15]
        let x2 = (z[2] - l[14] * x3) / l[10]
        let x1 = (z[1] - l[9] * x2 - l[13] * x3) / l[5]
        let x0 = (z[0] - l[4] * x1 - l[8] * x2 - l[12] * x3) / l[0]
        return SIMD4(x0, x1, x2, x3)
    }

    /// Lower Cholesky factor of a 4x4 symmetric positive definite matrix; nil when it is not.
    static func cholesky4(_ a: SIMD16<Double>) -> SIMD16<Double>? {
        var l = SIMD16<Double>()
        for i in 0..<4 {
            for j in 0...i {
                var sum = a[i * 4 + j]
                for k in 0..<j { sum -= l[i * 4 + k] * l[j * 4 + k] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    l[i * 5] = sum.squareRoot()
                } else {
                    l[i * 4 + j] = sum / l[j * 5]
                }
            }
        }
        return l
    }
}
