import SeededRandom

/// How one synthetic person looks: clothing colours and texture, head, build. Fixed for the whole
/// scene, so the same person is recognisable in every camera (colours matter most to the network).
public struct PersonAppearance: Sendable, Equatable, Codable {
    /// The upper garment's main colour.
    public var top: RGBColor
    /// The upper garment's second colour, used by its pattern.
    public var topAccent: RGBColor
    /// The upper garment's pattern.
    public var topPattern: ClothingPattern
    /// Stripe or check period as a fraction of the person's height.
    public var patternPeriod: Double
    /// Trousers or skirt.
    public var bottom: RGBColor
    /// Skin of face and hands.
    public var skin: RGBColor
    /// Hair (or a hat).
    public var hair: RGBColor
    /// Shoes.
    public var shoes: RGBColor
    /// A bag's colour, if the person carries one.
    public var bag: RGBColor?
    /// Height relative to the scene's mean person, about 0.9 to 1.1.
    public var heightScale: Double
    /// Width relative to the mean build, about 0.85 to 1.15.
    public var widthScale: Double

    /// Main garment colours, far apart in hue and lightness; the first twelve people get twelve different tops.
    static let topPalette: [RGBColor] = [
        RGBColor(0.85, 0.10, 0.10), RGBColor(0.10, 0.30, 0.85), RGBColor(0.95, 0.85, 0.10),
        RGBColor(0.10, 0.65, 0.20), RGBColor(0.95, 0.95, 0.95), RGBColor(0.55, 0.15, 0.70),
        RGBColor(0.98, 0.50, 0.05), RGBColor(0.05, 0.75, 0.80), RGBColor(0.08, 0.08, 0.10),
        RGBColor(0.95, 0.45, 0.70), RGBColor(0.50, 0.30, 0.12), RGBColor(0.60, 0.85, 0.15),
    ]

    /// Trouser colours (jeans, black, grey, khaki, white, olive, maroon, navy, brown).
    static let bottomPalette: [RGBColor] = [
        RGBColor(0.15, 0.22, 0.45), RGBColor(0.07, 0.07, 0.08), RGBColor(0.50, 0.50, 0.52),
        RGBColor(0.76, 0.68, 0.48), RGBColor(0.90, 0.90, 0.88), RGBColor(0.30, 0.36, 0.15),
        RGBColor(0.45, 0.08, 0.12), RGBColor(0.08, 0.10, 0.28), RGBColor(0.40, 0.26, 0.14),
    ]

    static let skinPalette: [RGBColor] = [
        RGBColor(0.96, 0.80, 0.69), RGBColor(0.87, 0.67, 0.52), RGBColor(0.68, 0.48, 0.33),
        RGBColor(0.45, 0.30, 0.20), RGBColor(0.92, 0.74, 0.60),
    ]

    static let hairPalette: [RGBColor] = [
        RGBColor(0.08, 0.06, 0.05), RGBColor(0.35, 0.22, 0.10), RGBColor(0.80, 0.65, 0.35),
        RGBColor(0.55, 0.55, 0.55), RGBColor(0.50, 0.15, 0.05), RGBColor(0.15, 0.15, 0.45),
    ]

    /// `count` people with distinct looks, drawn from `rng`.
    ///
    /// Tops are a shuffled cycle through the palette, so people 1-12 all differ in their main colour;
    /// past twelve, a repeated top is paired with a different trouser colour and pattern.
    static func cast(count: Int, rng: inout SplitMix64) -> [PersonAppearance] {
        let tops = rng.shuffled(Array(topPalette.indices))
        let bottoms = rng.shuffled(Array(bottomPalette.indices))
        var people: [PersonAppearance] = []
        for i in 0..<count {
            let topIndex = tops[i % tops.count]
            let round = i / tops.count
            let bottomIndex = bottoms[(i + round * 4) % bottoms.count]
            var accent = topPalette[tops[(i + 5 + round) % tops.count]]
            let pattern = ClothingPattern.allCases[(rng.index(ClothingPattern.allCases.count) + round) % ClothingPattern.allCases.count]
            if pattern == .solid { accent = topPalette[topIndex] }
            people.append(PersonAppearance(
                top: topPalette[topIndex].perturbed(0.04, &rng),
                topAccent: accent.perturbed(0.04, &rng),
                topPattern: pattern,
                patternPeriod: rng.uniform(0.05, 0.09),
                bottom: bottomPalette[bottomIndex].perturbed(0.03, &rng),
                skin: skinPalette[rng.index(skinPalette.count)],
                hair: hairPalette[rng.index(hairPalette.count)],
                shoes: rng.chance(0.5) ? RGBColor(0.1, 0.08, 0.07) : RGBColor(0.85, 0.85, 0.85),
                bag: rng.chance(0.35) ? bottomPalette[rng.index(bottomPalette.count)].mixed(with: RGBColor(0.6, 0.3, 0.1), 0.5) : nil,
                heightScale: rng.uniform(0.9, 1.1),
                widthScale: rng.uniform(0.85, 1.15)))
        }
        return people
    }
}
