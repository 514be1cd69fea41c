import Events
import XCTest

/// `EventFilter`: type, camera and identity criteria.
final class EventFilterTests: XCTestCase {
    private func kept(_ filter: EventFilter) -> [Int] {
        SampleEvents.numbered.filter(filter.matches).map(\.seq)
    }

    func testMatches_emptyFilter_keepsEverything() {
        XCTAssertEqual(kept(EventFilter()), Array(1...11))
    }

    func testMatches_types_keepsOnlyThoseTypes() {
        XCTAssertEqual(kept(EventFilter(types: [.identityMatched, .cameraDown])), [4, 8])
    }

    func testMatches_camera_keepsEventsOfThatCameraOnly() {
        XCTAssertEqual(kept(EventFilter(cameras: ["cam-a"])), [2, 3, 6])
    }

    func testMatches_identity_keepsNewAndRetractedAssignments() {
        XCTAssertEqual(kept(EventFilter(identities: [1])), [3, 4, 5, 6])
        XCTAssertEqual(kept(EventFilter(identities: [2])), [5])
    }

    func testMatches_severalCriteria_allMustHold() {
        XCTAssertEqual(kept(EventFilter(types: [.identityMatched, .trackEnded], cameras: ["cam-a"], identities: [1])), [6])
    }
}
