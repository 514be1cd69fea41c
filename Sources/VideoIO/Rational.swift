/// An exact fraction such as a frame rate (30000/1001) or a time base (1/90000); mirrors `AVRational`.
public struct Rational: Sendable, Hashable, CustomStringConvertible {
    /// The numerator.
    public var numerator: Int
    /// The denominator; 0 means "unknown" as in FFmpeg.
    public var denominator: Int

    /// Creates `numerator/denominator`.
    public init(_ numerator: Int, _ denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The value as a `Double`; 0 when the denominator is 0 (unknown).
    public var doubleValue: Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    /// Whether the fraction is a usable positive value.
    public var isValid: Bool { numerator > 0 && denominator > 0 }

    /// `num/den`, as FFmpeg prints it.
    public var description: String { "\(numerator)/\(denominator)" }
}
