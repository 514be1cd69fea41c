import XCTest
@testable import VideoIO

/// `PixelColor`: HSV conversion, text contrast, and the identity palette `stable(for:)`.
final class PixelColorTests: XCTestCase {
    private func distance(_ a: PixelColor, _ b: PixelColor) -> Double {
        let dr = Double(a.red) - Double(b.red), dg = Double(a.green) - Double(b.green)
        let db = Double(a.blue) - Double(b.blue)
        return (dr * dr + dg * dg + db * db).squareRoot()
    }

    func testInitHSV_primariesAndWrappedHues_giveTheirRGB() {
        XCTAssertEqual(PixelColor(hue: 0, saturation: 1, value: 1), PixelColor(red: 255, green: 0, blue: 0))
        XCTAssertEqual(PixelColor(hue: 1.0 / 3, saturation: 1, value: 1), PixelColor(red: 0, green: 255, blue: 0))
        XCTAssertEqual(PixelColor(hue: 2.0 / 3, saturation: 1, value: 1), PixelColor(red: 0, green: 0, blue: 255))
        XCTAssertEqual(PixelColor(hue: -1.0 / 6, saturation: 1, value: 1), PixelColor(red: 255, green: 0, blue: 255))
        XCTAssertEqual(PixelColor(hue: 7.5, saturation: 0, value: 0.5), PixelColor(red: 128, green: 128, blue: 128))
    }

    func testContrastingText_lightAndDarkColours_blackOnLightWhiteOnDark() {
        XCTAssertEqual(PixelColor(red: 255, green: 230, blue: 0).contrastingText, .black)
        XCTAssertEqual(PixelColor(red: 20, green: 40, blue: 220).contrastingText, .white)
    }

    func testStable_knownKeys_matchColorsysOfGoldenAngleHues() {
        // Python's colorsys.hsv_to_rgb(k * 0.381966... mod 1, s, v), channels rounded half up.
        XCTAssertEqual(PixelColor.stable(for: 0), PixelColor(red: 255, green: 25, blue: 25))
        XCTAssertEqual(PixelColor.stable(for: 1), PixelColor(red: 0, green: 217, blue: 63))
        XCTAssertEqual(PixelColor.stable(for: 2), PixelColor(red: 181, green: 77, blue: 255))
        XCTAssertEqual(PixelColor.stable(for: 3), PixelColor(red: 217, green: 195, blue: 43))
        XCTAssertEqual(PixelColor.stable(for: 12), PixelColor(red: 25, green: 140, blue: 255))
    }

    func testStable_keys1To64_pairwiseDistanceAtLeast42() {
        let colours = (1...64).map(PixelColor.stable(for:))
        var nearest = Double.infinity
        for i in colours.indices {
            for j in colours.indices where j > i {
                nearest = min(nearest, distance(colours[i], colours[j]))
            }
        }
        XCTAssertGreaterThanOrEqual(nearest, 42, "closest pair of the first 64 identity colours")
    }

    func testStable_anyKey_brightSaturatedAndRepeatable() {
        for key in Array(-50...500) + [Int.min, Int.max, 1_000_003] {
            let colour = PixelColor.stable(for: key)
            XCTAssertEqual(colour, PixelColor.stable(for: key), "key \(key)")
            let high = max(colour.red, colour.green, colour.blue), low = min(colour.red, colour.green, colour.blue)
            XCTAssertGreaterThanOrEqual(high, 216, "key \(key): value at least 0.85")
            XCTAssertLessThanOrEqual(Double(low), 0.3 * Double(high) + 0.5, "key \(key): saturation at least 0.7")
        }
    }
}
