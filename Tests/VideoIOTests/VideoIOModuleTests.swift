import XCTest
@testable import VideoIO

final class VideoIOModuleTests: XCTestCase {}
