import Foundation
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@testable import MetricsServer

/// The metrics HTTP server on its own: routes by path, 404 and 405 otherwise, a clear error for an
/// address in use, and the wait for a scrape that `run --metrics-linger` uses.
final class MetricsHTTPServerTests: XCTestCase {
    private func start() async throws -> MetricsHTTPServer {
        try await MetricsHTTPServer.start(host: "127.0.0.1", port: 0, routes: [
            "/metrics": { .init(contentType: "text/plain; version=0.0.4", body: "up 1\n") },
            "/healthz": { .init(status: 503, contentType: "application/json", body: "{}") },
        ])
    }

    private func get(_ server: MetricsHTTPServer, _ path: String, method: String = "GET") async throws -> (Int, String, String?) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)\(path)")!)
        request.httpMethod = method
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try XCTUnwrap(response as? HTTPURLResponse)
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.value(forHTTPHeaderField: "Content-Type"))
    }

    func testServer_knownPaths_answerWhatTheirRoutesRender() async throws {
        let server = try await start()
        XCTAssertGreaterThan(server.port, 0, "port 0 gives the port the system chose")
        let metrics = try await get(server, "/metrics?name=up")
        XCTAssertEqual(metrics.0, 200)
        XCTAssertEqual(metrics.1, "up 1\n")
        XCTAssertEqual(metrics.2, "text/plain; version=0.0.4")
        let health = try await get(server, "/healthz")
        XCTAssertEqual(health.0, 503)
        XCTAssertEqual(health.1, "{}")
        await server.close()
    }

    func testServer_otherPathsAndMethods_answer404And405() async throws {
        let server = try await start()
        let missing = try await get(server, "/favicon.ico")
        XCTAssertEqual(missing.0, 404)
        XCTAssertEqual(missing.1, "no such path: /favicon.ico — try /healthz, /metrics\n")
        let post = try await get(server, "/metrics", method: "POST")
        XCTAssertEqual(post.0, 405)
        await server.close()
    }

    func testServer_portInUse_saysSoAndWhatToDo() async throws {
        let first = try await start()
        do {
            _ = try await MetricsHTTPServer.start(host: "127.0.0.1", port: first.port, routes: [:])
            XCTFail("a second server on the same port")
        } catch {
            XCTAssertEqual(error.description, "cannot serve metrics on 127.0.0.1:\(first.port): the port is in use by another program "
                           + "— choose another port, or 0 for any free one")
        }
        await first.close()
    }

    func testServer_addressNotOfThisMachine_saysWhichToUse() async throws {
        do {
            _ = try await MetricsHTTPServer.start(host: "192.0.2.1", port: 0, routes: [:])
            XCTFail("TEST-NET-1 is nobody's address")
        } catch {
            XCTAssertEqual(error.description, "cannot serve metrics on 192.0.2.1:0: 192.0.2.1 is not an address of this machine "
                           + "— use 127.0.0.1, 0.0.0.0 or one of its own addresses")
        }
    }

    func testServer_waitForRequest_returnsTrueOnceAScrapeIsAnsweredAndFalseOnTimeOut() async throws {
        let server = try await start()
        let timedOut = await server.waitForRequest(to: "/metrics", within: 0.2)
        XCTAssertFalse(timedOut)
        async let answered = server.waitForRequest(to: "/metrics", within: 30)
        // The waiter registers at once; a request after it wakes it.
        try await Task.sleep(nanoseconds: 100_000_000)
        _ = try await get(server, "/healthz")
        _ = try await get(server, "/metrics")
        let woke = await answered
        XCTAssertTrue(woke)
        await server.close()
    }
}
