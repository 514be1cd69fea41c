/// Saturating addition for the drawing code's edge arithmetic (see `DrawingRect`).
extension Int {
    /// `self + other`, or `Int.max` / `Int.min` where the sum would overflow.
    func adding(saturating other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
