import XCTest

@testable import Pipeline

final class BoundedChannelTests: XCTestCase {
    func testBoundedChannel_fullChannel_suspendsTheSenderUntilAReceive() async {
        let channel = BoundedChannel<Int>(capacity: 2)
        let sent = Counter()
        let producer = Task {
            for i in 0..<5 {
                await channel.send(i)
                sent.increment()
            }
            channel.finish()
        }
        // The producer can get at most `capacity` elements ahead of a receiver that takes none.
        try? await Task.sleep(nanoseconds: 100_000_000)
        XCTAssertEqual(sent.value, 2)
        XCTAssertEqual(channel.depth, 2)
        var received: [Int] = []
        while let v = await channel.receive() { received.append(v) }
        await producer.value
        XCTAssertEqual(received, [0, 1, 2, 3, 4])
    }

    func testBoundedChannel_manySenders_deliverEveryElementOnce() async {
        let channel = BoundedChannel<Int>(capacity: 3)
        let consumer = Task { () -> [Int] in
            var out: [Int] = []
            while let v = await channel.receive() { out.append(v) }
            return out
        }
        await withTaskGroup(of: Void.self) { group in
            for p in 0..<4 {
                group.addTask { for i in 0..<50 { await channel.send(p * 1000 + i) } }
            }
        }
        channel.finish()
        let received = await consumer.value
        do {
            XCTAssertEqual(received.sorted(), (0..<4).flatMap { p in (0..<50).map { p * 1000 + $0 } }.sorted())
            // Each sender's own elements stay in order.
            for p in 0..<4 {
                let mine = received.filter { $0 / 1000 == p }
                XCTAssertEqual(mine, mine.sorted())
            }
        }
    }

    func testBoundedChannel_receiveWithin_timesOutWhenNothingArrives() async {
        let channel = BoundedChannel<Int>(capacity: 1)
        let start = Date()
        guard case .timedOut = await channel.receive(within: 0.05) else { return XCTFail("expected a time-out") }
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.04)
        await channel.send(7)
        guard case .element(7) = await channel.receive(within: 0.05) else { return XCTFail("expected the element") }
        channel.finish()
        guard case .finished = await channel.receive(within: 0.05) else { return XCTFail("expected the end") }
    }

    func testBoundedChannel_finish_wakesASuspendedSenderAndDropsItsElement() async {
        let channel = BoundedChannel<Int>(capacity: 1)
        await channel.send(1)
        let blocked = Task { await channel.send(2) }
        try? await Task.sleep(nanoseconds: 50_000_000)
        channel.finish()
        let accepted = await blocked.value
        XCTAssertFalse(accepted)
        let first = await channel.receive()
        let second = await channel.receive()
        XCTAssertEqual(first, 1)
        XCTAssertNil(second)
    }
}

/// A thread-safe counter for tests.
final class Counter: @unchecked Sendable {
    // Safe: every access holds `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// The live cameras' buffer: a full channel drops its oldest droppable element instead of waiting.
final class BoundedChannelDropOldestTests: XCTestCase {
    func testBoundedChannel_sendDroppingOldest_whenFull_dropsTheOldestDroppableAndKeepsTheRest() async {
        let channel = BoundedChannel<Int>(capacity: 3)
        // Negative numbers stand for state changes, which are never dropped.
        for value in [-1, 1, 2] { XCTAssertEqual(channel.sendDroppingOldest(value) { $0 > 0 }.dropped, 0) }
        XCTAssertEqual(channel.sendDroppingOldest(3) { $0 > 0 }.dropped, 1)
        XCTAssertEqual(channel.sendDroppingOldest(4) { $0 > 0 }.dropped, 1)
        XCTAssertEqual(channel.depth, 3, "it never holds more than its capacity")
        channel.finish()
        var received: [Int] = []
        while let value = await channel.receive() { received.append(value) }
        XCTAssertEqual(received, [-1, 3, 4], "the newest frames and the state change survive, in order")
        XCTAssertFalse(channel.sendDroppingOldest(5) { _ in true }.sent, "a finished channel takes nothing")
    }
}
