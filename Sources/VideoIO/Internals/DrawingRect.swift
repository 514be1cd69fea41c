/// A rectangle of drawing coordinates as its edges (`right` and `bottom` exclusive), formed with
/// saturating arithmetic so that boxes anywhere in `Int`'s range, however far outside the frame, can
/// be clipped without overflow.
struct DrawingRect {
    /// Left column (inclusive).
    let left: Int
    /// Top row (inclusive).
    let top: Int
    /// Right column (exclusive); `right <= left` is empty.
    let right: Int
    /// Bottom row (exclusive); `bottom <= top` is empty.
    let bottom: Int

    /// The rectangle between the given edges.
    init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// The rectangle with top-left pixel (`x`, `y`) and `width` x `height` pixels (empty when either
    /// is <= 0); edges past `Int`'s range saturate.
    init(x: Int, y: Int, width: Int, height: Int) {
        self.init(left: x, top: y, right: width > 0 ? x.adding(saturating: width) : x,
                  bottom: height > 0 ? y.adding(saturating: height) : y)
    }
}
