import XCTest
@testable import Tracking

final class TrackingModuleTests: XCTestCase {}
