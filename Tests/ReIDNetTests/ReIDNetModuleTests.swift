import XCTest
@testable import ReIDNet

final class ReIDNetModuleTests: XCTestCase {}
