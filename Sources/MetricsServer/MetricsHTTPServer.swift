import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server (SwiftNIO, one event-loop thread) that answers `GET` on a few fixed paths
/// with what its routes render at that moment — `/metrics` and `/healthz` for `panoptes run` — and
/// 404 for any other path, 405 for any other method. Every response closes its connection.
///
/// It knows nothing of pipelines: a route is a closure, called on the event loop for each request.
///
/// - Note: Thread-safe. Routes must be quick and must not block (they render counts held in memory).
public final class MetricsHTTPServer: Sendable {
    /// What a route answers.
    public struct Response: Sendable {
        /// The HTTP status code.
        public var status: Int
        /// The `Content-Type` header.
        public var contentType: String
        /// The body.
        public var body: String

        /// A response of `body` with `status` and `contentType`.
        public init(status: Int = 200, contentType: String, body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    /// A path's renderer.
    public typealias Route = @Sendable () -> Response

    private struct Waiter {
        var path: String
        /// Requests that started before the wait began do not count.
        var after: UInt64
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var nextRequest: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
    }

    /// The address it listens on, as bound (port 0 asked for is the port the system chose here).
    public let host: String
    /// The TCP port it listens on.
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let state: Mutex<State>

    private init(host: String, port: Int, group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.host = host
        self.port = port
        self.group = group
        self.channel = channel
        state = Mutex(State())
    }

    /// Starts listening on `host`:`port` and serving `routes` (exact paths, query strings ignored).
    ///
    /// - Throws: ``MetricsServerError`` when the address cannot be bound (in use, not this machine's,
    ///   a port below 1024 without privilege, an unknown host name).
    public static func start(host: String, port: Int, routes: [String: Route]) async throws(MetricsServerError) -> MetricsHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let box = ServerBox()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(routes: routes, box: box))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            try? await group.shutdownGracefully()
            throw MetricsServerError(host: host, port: port, underlying: error)
        }
        let server = MetricsHTTPServer(host: host, port: channel.localAddress?.port ?? port, group: group, channel: channel)
        box.server.withLock { $0 = server }
        return server
    }

    /// Waits until a request for `path` that arrived after this call has been answered (its response
    /// written out), or `seconds` pass.
    ///
    /// - Returns: true when such a request was answered, false on time-out.
    public func waitForRequest(to path: String, within seconds: Double) async -> Bool {
        let id: UInt64 = state.withLock { s in
            defer { s.nextWaiter += 1 }
            return s.nextWaiter
        }
        return await withCheckedContinuation { continuation in
            state.withLock { s in
                s.waiters[id] = Waiter(path: path, after: s.nextRequest, continuation: continuation)
            }
            // Registered first, so the time-out always finds the waiter unless a request took it.
            Task { [weak self] in
                try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
                self?.resume(id, with: false)
            }
        }
    }

    /// Stops listening, closes open connections and stops the event loop.
    public func close() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
        let waiting = state.withLock { s in
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiting { w.continuation.resume(returning: false) }
    }

    /// A number for a request starting now.
    fileprivate func requestStarted() -> UInt64 {
        state.withLock { s in
            defer { s.nextRequest += 1 }
            return s.nextRequest
        }
    }

    /// Wakes the waiters for `path` that began before request `request` did.
    fileprivate func answered(_ path: String, request: UInt64) {
        let woken = state.withLock { s in
            let ids = s.waiters.filter { $0.value.path == path && $0.value.after <= request }.map(\.key)
            return ids.compactMap { s.waiters.removeValue(forKey: $0) }
        }
        for w in woken { w.continuation.resume(returning: true) }
    }

    private func resume(_ id: UInt64, with value: Bool) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(returning: value)
    }
}

/// The server, once started, for the handlers made before it was (they report answered requests to it).
private final class ServerBox: Sendable {
    let server = Mutex<MetricsHTTPServer?>(nil)
}

/// One connection's request handling: routes `GET` requests by path and closes after each response.
private final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: [String: MetricsHTTPServer.Route]
    private let box: ServerBox
    private var head: HTTPRequestHead?

    init(routes: [String: MetricsHTTPServer.Route], box: ServerBox) {
        self.routes = routes
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = String(head.uri.prefix { $0 != "?" })
        let server = box.server.withLock { $0 }
        let request = server?.requestStarted()
        let response: MetricsHTTPServer.Response
        var headers = HTTPHeaders()
        if head.method != .GET && head.method != .HEAD {
            response = .init(status: 405, contentType: "text/plain; charset=utf-8", body: "only GET is served\n")
            headers.add(name: "Allow", value: "GET, HEAD")
        } else if let route = routes[path] {
            response = route()
        } else {
            let known = routes.keys.sorted().joined(separator: ", ")
            response = .init(status: 404, contentType: "text/plain; charset=utf-8", body: "no such path: \(path) — try \(known)\n")
        }
        var body = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        body.writeString(response.body)
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Connection", value: "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            channel.close(promise: nil)
            if let server, let request { server.answered(path, request: request) }
        }
    }
}
