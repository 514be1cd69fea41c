/// A static object standing on a camera's floor (a pillar, a planter, a kiosk) that hides whoever walks behind it.
public struct Occluder: Sendable, Equatable, Codable {
    /// Centre of the object, as a fraction of the frame width.
    public var centerX: Double
    /// Width, as a fraction of the frame width.
    public var width: Double
    /// Height, as a fraction of the frame height, measured up from its foot.
    public var height: Double
    /// Its place on the floor, 0 (far) to 1 (near): people with a smaller depth walk behind it.
    public var depth: Double
    /// Its colour before the camera's lighting.
    public var color: RGBColor
}
