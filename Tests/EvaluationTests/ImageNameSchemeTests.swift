import XCTest
@testable import Evaluation

/// File names of the two data sets, read as the standard protocol reads them.
final class ImageNameSchemeTests: XCTestCase {
    func testMarket_regularName_givesPersonAndCamera() {
        XCTAssertEqual(ImageNameScheme.market1501.parse("0002_c1s1_000451_03.jpg"), .image(PersonLabel(personID: 2, camera: 1)))
        XCTAssertEqual(ImageNameScheme.market1501.parse("1501_c6s4_001902_01.jpg"), .image(PersonLabel(personID: 1501, camera: 6)))
    }

    func testMarket_distractorAndJunk_areDistinguished() {
        XCTAssertEqual(ImageNameScheme.market1501.parse("0000_c3s2_012345_07.jpg"), .image(PersonLabel(personID: 0, camera: 3)))
        XCTAssertEqual(ImageNameScheme.market1501.parse("-1_c1s1_000401_03.jpg"), .junk)
    }

    func testMarket_malformedNames_areRejected() {
        for name in ["002_c1s1_000451_03.jpg", "0002_c1_000451_03.jpg", "0002_c1s1_000451_3.jpg",
                     "0002_c1s1_000451_03.png", "0002_c1s1_000451_03_x.jpg", "abcd_c1s1_000451_03.jpg",
                     "0001_c2_f0046182.jpg"] {
            XCTAssertNil(ImageNameScheme.market1501.parse(name), name)
        }
    }

    func testDuke_regularName_givesPersonAndCamera() {
        XCTAssertEqual(ImageNameScheme.dukeMTMCreID.parse("0001_c2_f0046182.jpg"), .image(PersonLabel(personID: 1, camera: 2)))
        XCTAssertNil(ImageNameScheme.dukeMTMCreID.parse("0001_c2_0046182.jpg"))
        XCTAssertNil(ImageNameScheme.dukeMTMCreID.parse("0002_c1s1_000451_03.jpg"))
    }
}
