import XCTest
@testable import Evaluation

final class EvaluationModuleTests: XCTestCase {}
