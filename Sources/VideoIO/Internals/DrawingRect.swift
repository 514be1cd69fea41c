/// A rectangle in drawing coordinates whose values are clamped to ±2^40, so that the sums the
/// drawing code forms (x + width, x + column * scale ...) cannot overflow `Int` whatever the caller
/// passes; anything that far out is off every frame anyway.
struct DrawingRect {
    static let limit = 1 << 40

    let x: Int
    let y: Int
    let width: Int
    let height: Int

    init(x: Int, y: Int, width: Int, height: Int) {
        self.x = min(max(x, -Self.limit), Self.limit)
        self.y = min(max(y, -Self.limit), Self.limit)
        self.width = min(max(width, 0), Self.limit)
        self.height = min(max(height, 0), Self.limit)
    }
}
