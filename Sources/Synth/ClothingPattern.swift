/// How a garment's two colours are laid out.
public enum ClothingPattern: String, Sendable, Codable, CaseIterable {
    /// One colour.
    case solid
    /// Horizontal bands of the main and accent colours.
    case horizontalStripes
    /// Vertical bands of the main and accent colours.
    case verticalStripes
    /// A checkerboard of the main and accent colours.
    case checks
    /// The accent colour on the upper part (a yoke or scarf), main colour below.
    case yoke
}
