/// DeepSORT's constant-velocity Kalman filter over a box's centre x, centre y, aspect ratio and height.
///
/// The state is `[cx, cy, a, h, vcx, vcy, va, vh]`; one step is one frame. Process and measurement
/// noise scale with the box height, with DeepSORT's weights (1/20 for position, 1/160 for velocity).
public struct KalmanBoxFilter: Sendable, Equatable {
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

    /// The predicted box (the state's position part).
    public var box: BoundingBox { BoundingBox(xyah: mean[0], mean[1], mean[2], mean[3]) }

    /// Advances one frame: `x = F x`, `P = F P Fᵀ + Q`.
    public mutating func predict() {
        let h = mean[3]
        let p = Self.positionWeight, v = Self.velocityWeight
        let q = [p * h, p * h, 1e-2, p * h, v * h, v * h, 1e-5, v * h]
        for i in 0..<4 { mean[i] += mean[i + 4] }
        // F = [[I, I], [0, I]]: F P adds the velocity rows to the position rows, (F P) Fᵀ the columns.
        var next = covariance
        for i in 0..<4 {
            for j in 0..<8 { next[i * 8 + j] += covariance[(i + 4) * 8 + j] }
        }
        let rowsDone = next
        for i in 0..<8 {
            for j in 0..<4 { next[i * 8 + j] += rowsDone[i * 8 + j + 4] }
        }
        for i in 0..<8 { next[i * 9] += q[i] * q[i] }
        covariance = next
    }

    /// The measurement-space projection: mean (4) and covariance (4x4, with measurement noise added).
    func projected() -> (mean: [Double], covariance: [Double]) {
        let h = mean[3]
        let p = Self.positionWeight
        let r = [p * h, p * h, 1e-1, p * h]
        var s = [Double](repeating: 0, count: 16)
        for i in 0..<4 {
            for j in 0..<4 { s[i * 4 + j] = covariance[i * 8 + j] }
            s[i * 5] += r[i] * r[i]
        }
        return (Array(mean[0..<4]), s)
    }

    /// Squared Mahalanobis distance between the projected state and `box` (4 degrees of freedom;
    /// the chi-square 0.95 gate is 9.4877).
    public func gatingDistance(to box: BoundingBox) -> Double {
        let (m, s) = projected()
        guard let l = Self.cholesky4(s) else { return .infinity }
        let (cx, cy, a, h) = box.xyah
        let d = [cx - m[0], cy - m[1], a - m[2], h - m[3]]
        // Solve L z = d; the distance is |z|².
        var z = [Double](repeating: 0, count: 4)
        var total = 0.0
        for i in 0..<4 {
            var sum = d[i]
            for k in 0..<i { sum -= l[i * 4 + k] * z[k] }
            z[i] = sum / l[i * 5]
            total += z[i] * z[i]
        }
        return total
    }

    /// Corrects the state with a measured box: `K = P Hᵀ S⁻¹`, `x += K (z − H x)`, `P −= K S Kᵀ`.
    public mutating func update(with box: BoundingBox) {
        let (m, s) = projected()
        guard let l = Self.cholesky4(s) else { return }
        let (cx, cy, a, h) = box.xyah
        let innovation = [cx - m[0], cy - m[1], a - m[2], h - m[3]]
        // Kᵀ = S⁻¹ (H P) where H P is the first 4 rows of P (4x8); solve column by column.
        var gainT = [Double](repeating: 0, count: 32)
        for col in 0..<8 {
            var rhs = [covariance[col], covariance[8 + col], covariance[16 + col], covariance[24 + col]]
            Self.choleskySolve(l, &rhs)
            for i in 0..<4 { gainT[i * 8 + col] = rhs[i] }
        }
        for i in 0..<8 {
            var delta = 0.0
            for k in 0..<4 { delta += gainT[k * 8 + i] * innovation[k] }
            mean[i] += delta
        }
        // P − K S Kᵀ = P − K (H P), since S Kᵀ = H P.
        var next = covariance
        for i in 0..<8 {
            for j in 0..<8 {
                var sum = 0.0
                for k in 0..<4 { sum += gainT[k * 8 + i] * covariance[k * 8 + j] }
                next[i * 8 + j] -= sum
            }
        }
        covariance = next
    }

    /// Lower Cholesky factor of a 4x4 symmetric positive definite matrix; nil when it is not.
    static func cholesky4(_ a: [Double]) -> [Double]? {
        var l = [Double](repeating: 0, count: 16)
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

    /// Solves `L Lᵀ x = b` in place.
    static func choleskySolve(_ l: [Double], _ b: inout [Double]) {
        for i in 0..<4 {
            var sum = b[i]
            for k in 0..<i { sum -= l[i * 4 + k] * b[k] }
            b[i] = sum / l[i * 5]
        }
        for i in stride(from: 3, through: 0, by: -1) {
            var sum = b[i]
            for k in (i + 1)..<4 { sum -= l[k * 4 + i] * b[k] }
            b[i] = sum / l[i * 5]
        }
    }
}
