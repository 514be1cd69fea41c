import Foundation
import LinearAlgebra
import TestSupport
import XCTest

@testable import ReIDNet

/// Memory mapped ahead in bulk: prefaulted pages take no fault when first written, and keep what they
/// held; a model's reserved workspace serves every batch up to the one reserved for without growing.
final class ProcessMemoryTests: XCTestCase {
    private func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }

    /// Writes one byte into each page of `region`, returning the minor faults that took.
    private func faultsWriting(_ region: UnsafeMutableRawBufferPointer) -> Int {
        let before = minorFaults()
        for offset in stride(from: 0, to: region.count, by: 4096) { region[offset] = 7 }
        return minorFaults() - before
    }

    func testPrefaultedPages_takeNoFaultWhenWritten_andKeepTheirContents() throws {
        let bytes = 8 << 20, pages = bytes / 4096
        func freshRegion() throws -> UnsafeMutableRawBufferPointer {
            let base = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard let base, base != MAP_FAILED else { throw XCTSkip("mmap failed") }
            return UnsafeMutableRawBufferPointer(start: base, count: bytes)
        }
        let plain = try freshRegion(), prefaulted = try freshRegion()
        defer {
            munmap(plain.baseAddress, bytes)
            munmap(prefaulted.baseAddress, bytes)
        }
        // Pages written before stay as they were.
        prefaulted[5] = 42
        prefaulted[bytes - 1] = 43
        ProcessMemory.prefault(prefaulted)
        XCTAssertEqual(prefaulted[5], 42)
        XCTAssertEqual(prefaulted[bytes - 1], 43)
        XCTAssertEqual(prefaulted[4096 * 3], 0)
        let faultsPlain = faultsWriting(plain), faultsPrefaulted = faultsWriting(prefaulted)
        XCTAssertGreaterThan(faultsPlain, pages * 9 / 10, "each page of a fresh mapping faults when first written")
        XCTAssertLessThan(faultsPrefaulted, pages / 50, "\(faultsPrefaulted) faults on \(pages) prefaulted pages")
    }

    func testReservedWorkspace_servesEveryBatchUpToIt_withoutGrowing() throws {
        let model = try ReIDModel(architecture: .pfsaMobileNetV2, weights: WeightsLoader.load(Fixtures.mobilenetWeights),
                                  inputSize: (128, 64))
        model.reserveWorkspace(batch: 5)
        let reserved = model.workspaceBytes
        XCTAssertGreaterThan(reserved, 5 * 3 * 128 * 64 * MemoryLayout<Float>.stride)
        let images = ModelParityTests.images(count: 5, height: 128, width: 64, seed: 9)
        let plain = try ReIDModel(architecture: .pfsaMobileNetV2, weights: WeightsLoader.load(Fixtures.mobilenetWeights),
                                  inputSize: (128, 64))
        for batch in [5, 1, 3] {
            XCTAssertEqual(try model.embed(images, count: 5, maxBatch: batch).values,
                           try plain.embed(images, count: 5, maxBatch: batch).values, "batches of up to \(batch)")
            XCTAssertEqual(model.workspaceBytes, reserved, "the workspace grew at batch \(batch)")
        }
    }
}
