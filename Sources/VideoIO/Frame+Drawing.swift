/// Drawing primitives for annotated output: filled and outlined rectangles, bitmap-font text and
/// labelled boxes. Everything is clipped to the frame, so boxes partly or wholly outside it are fine.
///
/// Drawing allocates nothing: it writes through `withUnsafeMutablePixels` (which copies the pixels
/// once if another frame shares them).
extension Frame {
    /// Fills the rectangle whose top-left pixel is (`x`, `y`), `width` x `height` pixels, with `color`;
    /// the part outside the frame is skipped. An empty rectangle (`width` or `height` <= 0) draws nothing.
    public mutating func fillRectangle(x: Int, y: Int, width: Int, height: Int, color: PixelColor) {
        let rect = DrawingRect(x: x, y: y, width: width, height: height)
        withUnsafeMutablePixels { base, frameWidth, frameHeight, stride in
            Self.fill(rect, color, base, frameWidth, frameHeight, stride)
        }
    }

    /// Draws the outline of the rectangle whose top-left pixel is (`x`, `y`), `width` x `height`
    /// pixels, `thickness` pixels wide, inside the rectangle; the part outside the frame is skipped.
    ///
    /// The pixels are every pixel of the rectangle less than `thickness` from one of its edges, as
    /// Pillow's `ImageDraw.rectangle([x, y, x + width - 1, y + height - 1], outline: color,
    /// width: thickness)` draws them while `thickness < height` and `thickness <= width` (beyond that
    /// Pillow strays outside the rectangle; here the outline stays inside it, so a thickness of half
    /// the shorter side or more fills the rectangle). A thickness <= 0 or an empty rectangle draws
    /// nothing.
    public mutating func strokeRectangle(x: Int, y: Int, width: Int, height: Int, color: PixelColor, thickness: Int = 2) {
        let outer = DrawingRect(x: x, y: y, width: width, height: height)
        guard outer.left < outer.right, outer.top < outer.bottom, thickness > 0 else { return }
        // Four bands, each inside the rectangle; they overlap when the thickness reaches half a side.
        let bands = (
            DrawingRect(left: outer.left, top: outer.top, right: outer.right,
                        bottom: min(outer.bottom, outer.top.adding(saturating: thickness))),
            DrawingRect(left: outer.left, top: max(outer.top, outer.bottom.adding(saturating: -thickness)),
                        right: outer.right, bottom: outer.bottom),
            DrawingRect(left: outer.left, top: outer.top,
                        right: min(outer.right, outer.left.adding(saturating: thickness)), bottom: outer.bottom),
            DrawingRect(left: max(outer.left, outer.right.adding(saturating: -thickness)), top: outer.top,
                        right: outer.right, bottom: outer.bottom)
        )
        withUnsafeMutablePixels { base, frameWidth, frameHeight, stride in
            Self.fill(bands.0, color, base, frameWidth, frameHeight, stride)
            Self.fill(bands.1, color, base, frameWidth, frameHeight, stride)
            Self.fill(bands.2, color, base, frameWidth, frameHeight, stride)
            Self.fill(bands.3, color, base, frameWidth, frameHeight, stride)
        }
    }

    /// Draws `text` in `BitmapFont` with the label box's top-left pixel at (`x`, `y`), each font pixel
    /// as a `scale` x `scale` square; the part outside the frame is skipped.
    ///
    /// The label box is `BitmapFont.labelSize(of: text, scale: scale)`: glyph `i` (counting Unicode
    /// scalars) has its top-left pixel at (`x + scale * (1 + 6 i)`, `y + scale`). With a `background`,
    /// the whole label box is filled with it first, so the text stays legible on any scene. Characters
    /// outside printable ASCII draw a hollow box; there are no line breaks. `scale` < 1 draws nothing
    /// (and scales above 2^20 draw as 2^20).
    public mutating func drawText(
        _ text: String, x: Int, y: Int, color: PixelColor, background: PixelColor? = nil, scale: Int = 1
    ) {
        guard scale >= 1 else { return }
        // With the scale capped, `column * scale` and `row * scale` cannot overflow; a glyph pixel of
        // 2^20 x 2^20 already covers any frame.
        let scale = min(scale, BitmapFont.maximumScale)
        if let background {
            let size = BitmapFont.labelSize(of: text, scale: scale)
            fillRectangle(x: x, y: y, width: size.width, height: size.height, color: background)
        }
        withUnsafeMutablePixels { base, frameWidth, frameHeight, stride in
            let top = y.adding(saturating: scale * BitmapFont.margin)
            guard top < frameHeight, top.adding(saturating: BitmapFont.glyphHeight * scale) > 0 else { return }
            var left = x.adding(saturating: scale * BitmapFont.margin)
            for scalar in text.unicodeScalars {
                if left >= frameWidth { break }  // this and every later glyph lies right of the frame
                if left + BitmapFont.glyphWidth * scale > 0 {
                    let glyph = BitmapFont.glyph(for: scalar)
                    for row in 0..<BitmapFont.glyphHeight {
                        let bits = BitmapFont.rowBits(of: glyph, row: row)
                        guard bits != 0 else { continue }
                        for column in 0..<BitmapFont.glyphWidth where bits & (0x10 >> UInt8(column)) != 0 {
                            let dot = DrawingRect(
                                x: left + column * scale, y: top + row * scale, width: scale, height: scale)
                            Self.fill(dot, color, base, frameWidth, frameHeight, stride)
                        }
                    }
                }
                left = left.adding(saturating: BitmapFont.advance * scale)
            }
        }
    }

    /// Draws a box outline in `color` with `label` (for instance "#12") on a filled label box of the
    /// same colour, in black or white text (whichever contrasts), flush with the box's left edge.
    ///
    /// The label sits just above the box; when there is no room above it (the box touches the frame's
    /// top) it goes inside the box at its top. It is shifted left or right to stay inside the frame
    /// when the box sticks out at a side. Everything is clipped to the frame. `thickness` is the
    /// outline's width and `scale` the label's font scale (the default 2 gives 14-pixel glyphs, which
    /// read well on 576-line video).
    public mutating func drawLabeledBox(
        x: Int, y: Int, width: Int, height: Int, label: String, color: PixelColor,
        thickness: Int = 2, scale: Int = 2
    ) {
        strokeRectangle(x: x, y: y, width: width, height: height, color: color, thickness: thickness)
        let size = BitmapFont.labelSize(of: label, scale: max(scale, 1))
        let above = y.adding(saturating: -size.height)
        let labelY = above >= 0 ? above : max(y, 0)
        let labelX = max(0, min(x, self.width - size.width))
        drawText(label, x: labelX, y: labelY, color: color.contrastingText, background: color, scale: scale)
    }

    /// Fills the part of `rect` inside a `frameWidth` x `frameHeight` picture at `base` with `color`.
    ///
    /// Bounds: after clipping, `0 <= left < right <= frameWidth` and `0 <= top < bottom <= frameHeight`,
    /// so every byte written, `base + row * stride + 3 * column + channel` with `row < frameHeight`,
    /// `column < frameWidth`, `channel < 3`, lies inside the frame's own pixels of its row (never in
    /// the row padding, never past the last row).
    @inline(__always)
    private static func fill(
        _ rect: DrawingRect, _ color: PixelColor, _ base: UnsafeMutablePointer<UInt8>,
        _ frameWidth: Int, _ frameHeight: Int, _ stride: Int
    ) {
        let left = max(rect.left, 0), top = max(rect.top, 0)
        let right = min(rect.right, frameWidth), bottom = min(rect.bottom, frameHeight)
        guard left < right, top < bottom else { return }
        let (r, g, b) = (color.red, color.green, color.blue)
        for row in top..<bottom {
            var p = base + row * stride + 3 * left
            for _ in left..<right {
                p[0] = r
                p[1] = g
                p[2] = b
                p += 3
            }
        }
    }
}
