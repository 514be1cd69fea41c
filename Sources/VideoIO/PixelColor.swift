/// One RGB24 pixel value (red, green, blue, one byte each), as drawn into a `Frame`.
///
/// Named `PixelColor` rather than `RGBColor` so it never clashes with Synth's floating-point scene colour.
public struct PixelColor: Sendable, Hashable {
    /// Red, 0...255.
    public var red: UInt8
    /// Green, 0...255.
    public var green: UInt8
    /// Blue, 0...255.
    public var blue: UInt8

    /// A colour from its three channels.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Black (0, 0, 0).
    public static let black = PixelColor(red: 0, green: 0, blue: 0)
    /// White (255, 255, 255).
    public static let white = PixelColor(red: 255, green: 255, blue: 255)

    /// The colour of hue `hue` (turns: 0 red, 1/3 green, 2/3 blue; any real number, taken modulo 1),
    /// saturation and value in 0...1 (clamped), each channel rounded to the nearest byte.
    public init(hue: Double, saturation: Double, value: Double) {
        let s = min(1, max(0, saturation)), v = min(1, max(0, value))
        var h = hue - hue.rounded(.down)
        if h >= 1 { h = 0 }  // hue just below an integer can round up to 1.0
        let sector = h * 6
        let index = Int(sector.rounded(.down))
        let f = sector - Double(index)
        let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
        let (r, g, b): (Double, Double, Double)
        switch index {
        case 0: (r, g, b) = (v, t, p)
        case 1: (r, g, b) = (q, v, p)
        case 2: (r, g, b) = (p, v, t)
        case 3: (r, g, b) = (p, q, v)
        case 4: (r, g, b) = (t, p, v)
        default: (r, g, b) = (v, p, q)
        }
        func byte(_ x: Double) -> UInt8 { UInt8((x * 255).rounded()) }
        self.init(red: byte(r), green: byte(g), blue: byte(b))
    }

    /// Relative luminance in 0...1 (Rec. 601 weights on the stored bytes), enough to pick a text colour.
    public var luminance: Double {
        (0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue)) / 255
    }

    /// Black or white, whichever reads better on top of this colour (for label text on a label box).
    public var contrastingText: PixelColor { luminance > 0.5 ? .black : .white }

    /// A colour for `key` (an identity or track number) that is the same on every run and far from the
    /// colours of nearby keys.
    ///
    /// Hues step by the golden angle (0.381966 of a turn) per key, so consecutive keys land on opposite
    /// sides of the colour wheel and any run of keys spreads evenly; saturation and value cycle through
    /// four bright, saturated levels so keys whose hues come close again (every 21 and 34 keys) still
    /// differ. Keys 1...64 are at least 42 apart (Euclidean, in bytes). Every value is at least 0.85 and
    /// every saturation at least 0.7, so boxes stand out on grass, asphalt and white walls alike.
    public static func stable(for key: Int) -> PixelColor {
        // The levels were chosen by searching saturation/value quadruples for the largest minimum
        // pairwise distance over keys 1...64.
        let levels: (Double, Double)
        switch key & 3 {
        case 0: levels = (0.9, 1.0)
        case 1: levels = (1.0, 0.85)
        case 2: levels = (0.7, 1.0)
        default: levels = (0.8, 0.85)
        }
        // `key % 1_000_003` keeps the product exact in a Double for any Int; the wheel repeats anyway.
        let turns = Double(key % 1_000_003) * 0.381_966_011_250_105_2
        return PixelColor(hue: turns, saturation: levels.0, value: levels.1)
    }
}
