import Foundation
import TestSupport
import XCTest
@testable import VideoIO

/// `Frame+Drawing`: outlines checked against Pillow's `ImageDraw.rectangle`, glyphs against their
/// bitmaps written out below, clipping against a larger canvas, and labels on a real vtest frame.
final class FrameDrawingTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Fixtures.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The glyphs of "#0123456789" as they should appear ('#' = ink), written independently of the
    /// font's hex table.
    private static let expectedGlyphs: [(Character, [String])] = [
        ("#", [".#.#.", ".#.#.", "#####", ".#.#.", "#####", ".#.#.", ".#.#."]),
        ("0", [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."]),
        ("1", ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."]),
        ("2", [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"]),
        ("3", ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."]),
        ("4", ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."]),
        ("5", ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."]),
        ("6", ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."]),
        ("7", ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."]),
        ("8", [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."]),
        ("9", [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."]),
    ]

    /// A `width` x `height` frame whose pixel (x, y) is (7 x, 11 y, 3 (x + y)) modulo 256, so a write
    /// to the wrong place shows.
    private func gradient(width: Int, height: Int) throws -> Frame {
        var pixels: [UInt8] = []
        pixels.reserveCapacity(3 * width * height)
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8(truncatingIfNeeded: 7 * x), UInt8(truncatingIfNeeded: 11 * y),
                           UInt8(truncatingIfNeeded: 3 * (x + y))]
            }
        }
        return try Frame(width: width, height: height, pixels: pixels)
    }

    /// Whether pixel (`x`, `y`) of `frame` has colour `colour`.
    private func isColour(_ frame: Frame, _ x: Int, _ y: Int, _ colour: PixelColor) -> Bool {
        let p = frame.pixel(x: x, y: y)
        return PixelColor(red: p.red, green: p.green, blue: p.blue) == colour
    }

    /// Mismatches between `frame`, at (`x`, `y`) and `scale`, and the expected glyphs of `text`
    /// (ink = `ink`, every other pixel of each cell = `paper`), as readable strings.
    private func glyphMismatches(
        _ frame: Frame, text: String, x: Int, y: Int, scale: Int, ink: PixelColor, paper: PixelColor
    ) -> [String] {
        let art = Dictionary(uniqueKeysWithValues: Self.expectedGlyphs)
        var problems: [String] = []
        for (i, character) in text.enumerated() {
            let rows = art[character]!.map(Array.init)
            let left = x + scale * (1 + 6 * i), top = y + scale
            for py in top..<(top + 7 * scale) {
                for px in left..<(left + 6 * scale) {  // the glyph's 5 columns and the blank one after it
                    let column = (px - left) / scale, row = (py - top) / scale
                    let inked = column < 5 && rows[row][column] == "#"
                    if !isColour(frame, px, py, inked ? ink : paper) {
                        problems.append("'\(character)' scale \(scale) row \(row) column \(column) at (\(px), \(py))")
                    }
                }
            }
        }
        return problems
    }

    // MARK: - Rectangles

    func testStrokeRectangle_oddFramesAndBoxesStickingOut_equalPillow() throws {
        // (x, y, width, height, thickness): inside, thick, on each edge, past each corner, wholly
        // outside, larger than the frame, 2 x 3, and thicker than half the box (a filled box). All
        // keep thickness < height and thickness <= width, where Pillow stays inside the rectangle.
        let boxes: [(Int, Int, Int, Int, Int)] = [
            (3, 2, 11, 7, 1), (5, 4, 17, 13, 3), (-4, 6, 12, 9, 2), (30, 3, 15, 8, 2), (8, -5, 9, 11, 3),
            (12, 18, 10, 12, 2), (-6, -6, 10, 10, 4), (33, 20, 9, 9, 1), (-20, 2, 6, 6, 2), (50, 50, 4, 4, 1),
            (-3, -2, 45, 30, 2), (20, 12, 2, 3, 1), (14, 1, 5, 9, 3), (2, 14, 9, 5, 3),
        ]
        for (width, height) in [(37, 23), (13, 9), (1, 1)] {
            var frame = try gradient(width: width, height: height)
            let input = folder.appendingPathComponent("in.raw"), output = folder.appendingPathComponent("out.raw")
            try Data(frame.packedPixels()).write(to: input)
            var specs: [String] = []
            for (k, box) in boxes.enumerated() {
                let colour = PixelColor.stable(for: k)
                frame.strokeRectangle(
                    x: box.0, y: box.1, width: box.2, height: box.3, color: colour, thickness: box.4)
                specs.append([box.0, box.1, box.2, box.3, box.4, Int(colour.red), Int(colour.green), Int(colour.blue)]
                    .map(String.init).joined(separator: ","))
            }
            try runPeer("videoio_draw.py", [String(width), String(height), input.path, output.path] + specs)
            let pillow = [UInt8](try Data(contentsOf: output))
            XCTAssertEqual(pillow.count, 3 * width * height)
            XCTAssertTrue(frame.packedPixels() == pillow, "\(width)x\(height): differs from Pillow")
            if width > 1 {
                XCTAssertNotEqual(try gradient(width: width, height: height).packedPixels(), pillow, "boxes drew nothing")
            }
        }
    }

    func testStrokeRectangle_thicknessPastHalfTheBox_fillsExactlyTheBox() throws {
        // Pillow strays outside the rectangle here (a 1 x 1 box with width 1 also inks the pixel below).
        for (width, height, thickness) in [(1, 1, 1), (9, 4, 7), (3, 8, 2), (5, 5, 50)] {
            var stroked = try gradient(width: 15, height: 12)
            var filled = stroked
            stroked.strokeRectangle(x: 4, y: 3, width: width, height: height, color: .white, thickness: thickness)
            filled.fillRectangle(x: 4, y: 3, width: width, height: height, color: .white)
            XCTAssertEqual(stroked.packedPixels(), filled.packedPixels(), "\(width)x\(height) thickness \(thickness)")
        }
    }

    func testStrokeRectangle_emptyBoxOrNoThickness_drawsNothing() throws {
        let original = try gradient(width: 11, height: 7)
        var frame = original
        frame.strokeRectangle(x: 2, y: 2, width: 0, height: 4, color: .white, thickness: 1)
        frame.strokeRectangle(x: 2, y: 2, width: 4, height: -3, color: .white, thickness: 1)
        frame.strokeRectangle(x: 2, y: 2, width: 4, height: 4, color: .white, thickness: 0)
        frame.strokeRectangle(x: Int.min, y: Int.max, width: Int.max, height: Int.max, color: .white, thickness: 3)
        XCTAssertEqual(frame.packedPixels(), original.packedPixels())
    }

    func testDrawing_extremeCoordinates_drawNothingAndNeverOverflow() throws {
        let original = try gradient(width: 11, height: 7)
        var frame = original
        for (x, y) in [(Int.min, 0), (Int.max, 0), (0, Int.min), (0, Int.max), (Int.min, Int.min), (Int.max - 3, 2)] {
            frame.drawText("#99", x: x, y: y, color: .white, background: .white, scale: Int.max)
            frame.drawText("#99", x: x, y: y, color: .white, background: .white, scale: 3)
            frame.strokeRectangle(x: x, y: y, width: 5, height: 5, color: .white, thickness: Int.max)
        }
        XCTAssertEqual(frame.packedPixels(), original.packedPixels())
        frame.drawLabeledBox(x: Int.min, y: Int.min, width: Int.max, height: Int.max, label: "#1", color: .white)
        XCTAssertTrue(isColour(frame, 0, 0, .white), "the label is pulled into the frame's corner")
    }

    func testFillRectangle_hugeRectangle_fillsTheWholeFrame() throws {
        var frame = try gradient(width: 9, height: 5)
        frame.fillRectangle(x: -10, y: Int.min / 2, width: Int.max, height: Int.max, color: .white)  // right and bottom saturate
        XCTAssertEqual(frame.packedPixels(), [UInt8](repeating: 255, count: 9 * 5 * 3))
    }

    // MARK: - Text

    func testDrawText_hashAndDigits_landExactlyAsTheirBitmapsAtScale1And2() {
        let text = "#0123456789"
        for scale in [1, 2] {
            let size = BitmapFont.labelSize(of: text, scale: scale)
            XCTAssertEqual([size.width, size.height], [(6 * 11 + 1) * scale, 9 * scale])
            var frame = Frame(width: size.width + 7, height: size.height + 5)
            frame.drawText(text, x: 3, y: 2, color: .white, scale: scale)
            XCTAssertEqual(
                glyphMismatches(frame, text: text, x: 3, y: 2, scale: scale, ink: .white, paper: .black), [])
            // Nothing outside the glyph cells: the top margin row and the left margin column stay black.
            XCTAssertTrue((0..<frame.width).allSatisfy { isColour(frame, $0, 2, .black) })
            XCTAssertTrue((0..<frame.height).allSatisfy { isColour(frame, 3, $0, .black) })
        }
    }

    func testDrawText_background_fillsTheLabelBoxBehindTheGlyphs() throws {
        let paper = PixelColor(red: 240, green: 200, blue: 20)
        var frame = try gradient(width: 40, height: 25)
        frame.drawText("42", x: 5, y: 4, color: .black, background: paper, scale: 2)
        let size = BitmapFont.labelSize(of: "42", scale: 2)
        XCTAssertEqual([size.width, size.height], [26, 18])
        XCTAssertEqual(glyphMismatches(frame, text: "42", x: 5, y: 4, scale: 2, ink: .black, paper: paper), [])
        // The box is (5, 4) to (30, 21): its 2-pixel margins are paper, the pixels around it are not.
        for x in 5...30 {
            for y in [4, 5, 20, 21] { XCTAssertTrue(isColour(frame, x, y, paper), "(\(x), \(y))") }
            XCTAssertFalse(isColour(frame, x, 3, paper) || isColour(frame, x, 22, paper), "x \(x)")
        }
        for y in 4...21 {
            for x in [5, 6, 29, 30] { XCTAssertTrue(isColour(frame, x, y, paper), "(\(x), \(y))") }
            XCTAssertFalse(isColour(frame, 4, y, paper) || isColour(frame, 31, y, paper), "y \(y)")
        }
    }

    func testDrawText_characterOutsideTheFont_drawsAHollowBox() {
        var frame = Frame(width: 8, height: 9)
        frame.drawText("é", x: 0, y: 0, color: .white)
        for y in 1...7 {
            for x in 1...5 {
                XCTAssertEqual(isColour(frame, x, y, .white), x == 1 || x == 5 || y == 1 || y == 7, "(\(x), \(y))")
            }
        }
    }

    // MARK: - Clipping

    func testDrawing_acrossEachEdge_equalsCropOfALargerCanvasAndLeavesRowPaddingAlone() throws {
        let (width, height, pad) = (23, 17, 40)
        // Labels and boxes crossing the left, right, top and bottom edges, a corner, or wholly outside.
        let places = [(-9, 5), (17, 6), (4, -8), (6, 13), (-12, -7), (20, 14), (-60, 3), (5, 30)]
        for scale in [1, 2, 3] {
            for (x, y) in places {
                var small = try gradient(width: width, height: height)
                XCTAssertGreaterThan(small.rowStride, 3 * width, "the test needs row padding to watch")
                small.withUnsafeMutablePixels { base, width, height, stride in
                    for row in 0..<height {
                        (base + row * stride + 3 * width).update(repeating: 0xAB, count: stride - 3 * width)
                    }
                }
                // The same picture in the middle of a canvas large enough that nothing is clipped.
                var large = Frame(width: width + 2 * pad, height: height + 2 * pad)
                let picture = small
                large.withUnsafeMutablePixels { base, _, _, stride in
                    picture.withUnsafePixels { source, width, height, sourceStride in
                        for row in 0..<height {
                            (base + (row + pad) * stride + 3 * pad).update(
                                from: source + row * sourceStride, count: 3 * width)
                        }
                    }
                }
                let colour = PixelColor.stable(for: 7)
                small.drawText("#12", x: x, y: y, color: .white, background: .black, scale: scale)
                small.strokeRectangle(x: x, y: y + 3, width: 9 * scale, height: 11, color: colour, thickness: scale)
                large.drawText("#12", x: x + pad, y: y + pad, color: .white, background: .black, scale: scale)
                large.strokeRectangle(
                    x: x + pad, y: y + 3 + pad, width: 9 * scale, height: 11, color: colour, thickness: scale)

                let label = "scale \(scale) at (\(x), \(y))"
                let expected = large.region(x: pad, y: pad, width: width, height: height).makeFrame()
                XCTAssertEqual(small.packedPixels(), expected.packedPixels(), label)
                small.withUnsafePixels { base, width, height, stride in
                    for row in 0..<height {
                        let padding = UnsafeBufferPointer(start: base + row * stride + 3 * width, count: stride - 3 * width)
                        XCTAssertTrue(padding.allSatisfy { $0 == 0xAB }, "\(label): row \(row) padding written")
                    }
                }
            }
        }
    }

    // MARK: - Labelled boxes

    func testDrawLabeledBox_roomAbove_putsTheLabelOnTopOfTheBox() {
        let colour = PixelColor(red: 255, green: 220, blue: 0)
        var frame = Frame(width: 80, height: 60)
        frame.drawLabeledBox(x: 20, y: 30, width: 30, height: 20, label: "#7", color: colour, thickness: 2, scale: 1)
        // Label box 13 x 9 at (20, 21): yellow background, black text.
        XCTAssertEqual(glyphMismatches(frame, text: "#7", x: 20, y: 21, scale: 1, ink: .black, paper: colour), [])
        XCTAssertTrue(isColour(frame, 20, 21, colour) && isColour(frame, 32, 29, colour))
        XCTAssertTrue(isColour(frame, 33, 25, .black) && isColour(frame, 20, 20, .black))
        // The outline, 2 pixels wide.
        XCTAssertTrue(isColour(frame, 20, 30, colour) && isColour(frame, 49, 49, colour) && isColour(frame, 48, 48, colour))
        XCTAssertTrue(isColour(frame, 22, 32, .black) && isColour(frame, 47, 47, .black))
    }

    func testDrawLabeledBox_boxAtTheTopOrSides_keepsTheLabelInsideTheFrame() {
        let colour = PixelColor(red: 0, green: 40, blue: 200)
        var top = Frame(width: 80, height: 60)
        top.drawLabeledBox(x: 10, y: 3, width: 30, height: 20, label: "#7", color: colour, thickness: 1, scale: 1)
        XCTAssertEqual(glyphMismatches(top, text: "#7", x: 10, y: 3, scale: 1, ink: .white, paper: colour), [])

        var cut = Frame(width: 80, height: 60)
        cut.drawLabeledBox(x: 5, y: -10, width: 30, height: 20, label: "#7", color: colour, thickness: 1, scale: 1)
        XCTAssertEqual(glyphMismatches(cut, text: "#7", x: 5, y: 0, scale: 1, ink: .white, paper: colour), [])

        var right = Frame(width: 80, height: 60)
        right.drawLabeledBox(x: 75, y: 30, width: 20, height: 20, label: "#7", color: colour, thickness: 1, scale: 1)
        XCTAssertEqual(glyphMismatches(right, text: "#7", x: 67, y: 21, scale: 1, ink: .white, paper: colour), [])

        var left = Frame(width: 80, height: 60)
        left.drawLabeledBox(x: -8, y: 30, width: 20, height: 20, label: "#7", color: colour, thickness: 1, scale: 1)
        XCTAssertEqual(glyphMismatches(left, text: "#7", x: 0, y: 21, scale: 1, ink: .white, paper: colour), [])
    }

    func testDrawLabeledBox_vtestFrame_labelsReadOnTheScene() throws {
        let reader = try VideoReader(path: Fixtures.vtest.path)
        var frame: Frame?
        for _ in 0...399 { frame = try reader.nextFrame() }
        var scene = try XCTUnwrap(frame)
        // Walkers of frame 400 (index 399), and one box cut by the top edge.
        let boxes = [(270, 196, 34, 86, 12), (588, 138, 28, 66, 3), (686, 296, 56, 112, 47), (700, -20, 40, 60, 5)]
        for (x, y, width, height, key) in boxes {
            scene.drawLabeledBox(
                x: x, y: y, width: width, height: height, label: "#\(key)", color: .stable(for: key), scale: 2)
        }
        if let path = ProcessInfo.processInfo.environment["PANOPTES_DRAWING_PNG"] {
            try ImageWriter.write(scene, to: path)  // to look at by eye; the assertions below are the test
        }
        for (x, y, _, _, key) in boxes {
            let colour = PixelColor.stable(for: key)
            let label = "#\(key)"
            let size = BitmapFont.labelSize(of: label, scale: 2)
            let labelY = y - size.height >= 0 ? y - size.height : max(y, 0)
            let labelX = min(x, scene.width - size.width)
            XCTAssertEqual(
                glyphMismatches(scene, text: label, x: labelX, y: labelY, scale: 2, ink: colour.contrastingText, paper: colour),
                [], label)
        }
    }
}
