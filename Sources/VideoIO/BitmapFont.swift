/// The 5 x 7 pixel bitmap font that `Frame.drawText` uses for labels: printable ASCII (32...126), one
/// fixed-width cell per character.
///
/// Each glyph is 7 rows of 5 bits, drawn by hand for this project. A glyph is stored as one `UInt64`
/// holding 7 bytes, the top row in the most significant byte (`0x0E_11_...`: one `_`-separated group
/// per row); in each row byte, bit 4 is the leftmost column and bit 0 the rightmost. Characters outside
/// 32...126 draw `unknownGlyph`, a hollow box.
///
/// Text is laid out in cells of `advance` x `lineHeight` pixels (the glyph plus one blank column on
/// its right and one blank row below), with a margin of one pixel on every side of the label, all
/// multiplied by the drawing scale: see `labelSize(of:scale:)`.
public enum BitmapFont {
    /// Width of a glyph in pixels at scale 1.
    public static let glyphWidth = 5
    /// Height of a glyph in pixels at scale 1.
    public static let glyphHeight = 7
    /// Horizontal distance between the left edges of two neighbouring glyphs at scale 1.
    public static let advance = 6
    /// The blank margin around a label's glyphs at scale 1 (its background box extends this far).
    public static let margin = 1

    /// The largest scale drawn; larger scales draw as this one (a 2^20-pixel font pixel covers any frame).
    public static let maximumScale = 1 << 20

    /// The glyph drawn for characters the font does not have: a hollow 5 x 7 box.
    public static let unknownGlyph: UInt64 = 0x1F_11_11_11_11_11_1F

    /// The glyph of `scalar` (7 row bytes, top row most significant), or `unknownGlyph` outside 32...126.
    public static func glyph(for scalar: Unicode.Scalar) -> UInt64 {
        let code = Int(scalar.value)
        guard code >= 32, code <= 126 else { return unknownGlyph }
        return glyphs[code - 32]
    }

    /// The 5 bits of row `row` (0 = top) of `glyph`, bit 4 being the leftmost column.
    ///
    /// - Precondition: `0 <= row < glyphHeight`.
    @inline(__always)
    public static func rowBits(of glyph: UInt64, row: Int) -> UInt8 {
        precondition(row >= 0 && row < glyphHeight, "glyph row \(row) outside 0..<\(glyphHeight)")
        return UInt8(truncatingIfNeeded: glyph >> UInt64(8 * (glyphHeight - 1 - row))) & 0x1F
    }

    /// The size of the label box `Frame.drawText` fills for `text` at `scale`: one cell per Unicode
    /// scalar plus the margin on each side, that is `(6 n + 1) scale` by `9 scale` pixels (`scale`
    /// taken in 1...`maximumScale`).
    public static func labelSize(of text: String, scale: Int) -> (width: Int, height: Int) {
        let scale = min(max(scale, 1), maximumScale)
        let count = text.unicodeScalars.count
        return ((count * advance + margin) * scale, (glyphHeight + 2 * margin) * scale)
    }

    /// Glyphs of ASCII 32...126 in order.
    static let glyphs: [UInt64] = [
        0x00_00_00_00_00_00_00,  // 32 space
        0x04_04_04_04_04_00_04,  // 33 !
        0x0A_0A_0A_00_00_00_00,  // 34 "
        0x0A_0A_1F_0A_1F_0A_0A,  // 35 #
        0x04_0F_14_0E_05_1E_04,  // 36 $
        0x18_19_02_04_08_13_03,  // 37 %
        0x0C_12_14_08_15_12_0D,  // 38 &
        0x04_04_04_00_00_00_00,  // 39 apostrophe
        0x02_04_08_08_08_04_02,  // 40 (
        0x08_04_02_02_02_04_08,  // 41 )
        0x00_04_15_0E_15_04_00,  // 42 *
        0x00_04_04_1F_04_04_00,  // 43 +
        0x00_00_00_00_0C_04_08,  // 44 ,
        0x00_00_00_1F_00_00_00,  // 45 -
        0x00_00_00_00_00_0C_0C,  // 46 .
        0x00_01_02_04_08_10_00,  // 47 /
        0x0E_11_13_15_19_11_0E,  // 48 0
        0x04_0C_04_04_04_04_0E,  // 49 1
        0x0E_11_01_02_04_08_1F,  // 50 2
        0x1F_02_04_02_01_11_0E,  // 51 3
        0x02_06_0A_12_1F_02_02,  // 52 4
        0x1F_10_1E_01_01_11_0E,  // 53 5
        0x06_08_10_1E_11_11_0E,  // 54 6
        0x1F_01_02_04_08_08_08,  // 55 7
        0x0E_11_11_0E_11_11_0E,  // 56 8
        0x0E_11_11_0F_01_02_0C,  // 57 9
        0x00_0C_0C_00_0C_0C_00,  // 58 :
        0x00_0C_0C_00_0C_04_08,  // 59 ;
        0x02_04_08_10_08_04_02,  // 60 <
        0x00_00_1F_00_1F_00_00,  // 61 =
        0x08_04_02_01_02_04_08,  // 62 >
        0x0E_11_01_02_04_00_04,  // 63 ?
        0x0E_11_01_0D_15_15_0E,  // 64 @
        0x0E_11_11_1F_11_11_11,  // 65 A
        0x1E_11_11_1E_11_11_1E,  // 66 B
        0x0E_11_10_10_10_11_0E,  // 67 C
        0x1C_12_11_11_11_12_1C,  // 68 D
        0x1F_10_10_1E_10_10_1F,  // 69 E
        0x1F_10_10_1E_10_10_10,  // 70 F
        0x0E_11_10_17_11_11_0F,  // 71 G
        0x11_11_11_1F_11_11_11,  // 72 H
        0x0E_04_04_04_04_04_0E,  // 73 I
        0x07_02_02_02_02_12_0C,  // 74 J
        0x11_12_14_18_14_12_11,  // 75 K
        0x10_10_10_10_10_10_1F,  // 76 L
        0x11_1B_15_15_11_11_11,  // 77 M
        0x11_11_19_15_13_11_11,  // 78 N
        0x0E_11_11_11_11_11_0E,  // 79 O
        0x1E_11_11_1E_10_10_10,  // 80 P
        0x0E_11_11_11_15_12_0D,  // 81 Q
        0x1E_11_11_1E_14_12_11,  // 82 R
        0x0F_10_10_0E_01_01_1E,  // 83 S
        0x1F_04_04_04_04_04_04,  // 84 T
        0x11_11_11_11_11_11_0E,  // 85 U
        0x11_11_11_11_11_0A_04,  // 86 V
        0x11_11_11_15_15_15_0A,  // 87 W
        0x11_11_0A_04_0A_11_11,  // 88 X
        0x11_11_0A_04_04_04_04,  // 89 Y
        0x1F_01_02_04_08_10_1F,  // 90 Z
        0x0E_08_08_08_08_08_0E,  // 91 [
        0x00_10_08_04_02_01_00,  // 92 backslash
        0x0E_02_02_02_02_02_0E,  // 93 ]
        0x04_0A_11_00_00_00_00,  // 94 ^
        0x00_00_00_00_00_00_1F,  // 95 _
        0x08_04_02_00_00_00_00,  // 96 `
        0x00_00_0E_01_0F_11_0F,  // 97 a
        0x10_10_16_19_11_11_1E,  // 98 b
        0x00_00_0E_10_10_11_0E,  // 99 c
        0x01_01_0D_13_11_11_0F,  // 100 d
        0x00_00_0E_11_1F_10_0E,  // 101 e
        0x06_09_08_1C_08_08_08,  // 102 f
        0x00_0F_11_11_0F_01_0E,  // 103 g
        0x10_10_16_19_11_11_11,  // 104 h
        0x04_00_0C_04_04_04_0E,  // 105 i
        0x02_00_06_02_02_12_0C,  // 106 j
        0x10_10_12_14_18_14_12,  // 107 k
        0x0C_04_04_04_04_04_0E,  // 108 l
        0x00_00_1A_15_15_11_11,  // 109 m
        0x00_00_16_19_11_11_11,  // 110 n
        0x00_00_0E_11_11_11_0E,  // 111 o
        0x00_00_1E_11_1E_10_10,  // 112 p
        0x00_00_0D_13_0F_01_01,  // 113 q
        0x00_00_16_19_10_10_10,  // 114 r
        0x00_00_0E_10_0E_01_1E,  // 115 s
        0x08_08_1C_08_08_09_06,  // 116 t
        0x00_00_11_11_11_13_0D,  // 117 u
        0x00_00_11_11_11_0A_04,  // 118 v
        0x00_00_11_11_15_15_0A,  // 119 w
        0x00_00_11_0A_04_0A_11,  // 120 x
        0x00_00_11_11_0F_01_0E,  // 121 y
        0x00_00_1F_02_04_08_1F,  // 122 z
        0x02_04_04_08_04_04_02,  // 123 {
        0x04_04_04_04_04_04_04,  // 124 |
        0x08_04_04_02_04_04_08,  // 125 }
        0x00_00_08_15_02_00_00,  // 126 ~
    ]
}
