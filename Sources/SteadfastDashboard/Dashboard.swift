import Foundation
public import Hummingbird
public import Logging
public import Steadfast

/// The web dashboard: every workflow, its steps and waits, queues, executors, schedules and
/// stranded workflows, and the actions on them — pages rendered on the server, every read and
/// action a `steadfast.*` function called through a `Client` (so its database role can be a
/// viewer's, with ``Options/readOnly``, or a client's).
///
/// Serve it alone (`steadfast dashboard`, or ``serve(client:host:port:options:logger:onListening:)``) or
/// mount it in an app's own Hummingbird router:
///
/// ```swift
/// let dashboard = Dashboard(client: client, options: .init(token: secret))
/// dashboard.addRoutes(to: router, at: "/steadfast")
/// ```
public struct Dashboard: Sendable {
    /// How the dashboard behaves.
    public struct Options: Sendable {
        /// Hide and refuse every action: for a database role granted only `grant_viewer`.
        public var readOnly: Bool
        /// When set, every request must present it — `Authorization: Bearer <token>`, or once
        /// `?token=<token>`, which sets a cookie. Required to bind anything but loopback.
        public var token: String?
        /// How often a live page's server side looks for changes. Defaults to 1 second.
        public var liveInterval: Duration
        /// More Prometheus text for `/metrics`, after the engine's gauges: an app that mounts the
        /// dashboard and runs workers passes its swift-prometheus registry here, so its
        /// `steadfast_*` worker metrics (README, "Observability") are served too —
        /// `{ registry.emitToString() }`.
        public var moreMetrics: (@Sendable () -> String)?

        public init(readOnly: Bool = false, token: String? = nil, liveInterval: Duration = .seconds(1),
                    moreMetrics: (@Sendable () -> String)? = nil) {
            self.readOnly = readOnly
            self.token = token
            self.liveInterval = liveInterval
            self.moreMetrics = moreMetrics
        }
    }

    let client: Client
    let options: Options
    /// The secret every form carries (CSRF): made per dashboard, never sent to another origin.
    let csrf: String

    /// - Parameters:
    ///   - client: How the dashboard reaches the engine.
    ///   - options: Read-only mode, token, live interval.
    public init(client: Client, options: Options = Options()) {
        self.client = client
        self.options = options
        self.csrf = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
    }

    /// Adds the dashboard's pages under `path` (`""`: the root) to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>, at path: String = "") {
        let base = path.hasSuffix("/") ? String(path.dropLast()) : path
        let group = router.group(RouterPath(base.isEmpty ? "/" : base))
        if let token = options.token {
            group.add(middleware: TokenMiddleware(token: token))
        }
        let pages = Pages(dashboard: self, base: base)
        group.get("/") { request, _ in try await pages.respond(request) { try await pages.workflows(request) } }
        group.get("workflow") { request, _ in try await pages.respond(request) { try await pages.workflow(request) } }
        group.get("stream") { request, _ in try await pages.respond(request) { try await pages.stream(request) } }
        group.get("queues") { request, _ in try await pages.respond(request) { try await pages.queues() } }
        group.get("executors") { request, _ in try await pages.respond(request) { try await pages.executors() } }
        group.get("schedules") { request, _ in try await pages.respond(request) { try await pages.schedules() } }
        group.get("stranded") { request, _ in try await pages.respond(request) { try await pages.stranded() } }
        group.get("metrics") { _, _ in try await pages.prometheus() }
        group.get("live/workflows") { request, _ in pages.live(request) { try await pages.listFingerprint(request) } }
        group.get("live/workflow") { request, _ in
            pages.live(request, workflowID: request.uri.queryParameters.get("id")) { try await pages.workflowFingerprint(request) }
        }
        group.get("assets/dashboard.css") { _, _ in Pages.asset(Assets.css, type: "text/css; charset=utf-8") }
        group.get("assets/dashboard.js") { _, _ in Pages.asset(Assets.javascript, type: "text/javascript; charset=utf-8") }
        group.post("workflow/cancel") { request, _ in try await pages.act(request) { try await pages.cancel($0) } }
        group.post("workflow/resume") { request, _ in try await pages.act(request) { try await pages.resume($0) } }
        group.post("workflow/fork") { request, _ in try await pages.act(request) { try await pages.fork($0) } }
        group.post("workflow/send") { request, _ in try await pages.act(request) { try await pages.send($0) } }
        group.post("bulk") { request, _ in try await pages.act(request) { try await pages.bulk($0) } }
    }

    /// Serves the dashboard until cancelled or sent SIGTERM/SIGINT.
    /// - Parameters:
    ///   - client: The client every page reads and acts through.
    ///   - host: Where to listen. Defaults to 127.0.0.1; any other address needs
    ///     ``Options/token``.
    ///   - port: Defaults to 8080; 0 picks a free port (`onListening` says which).
    ///   - options: Token, read-only mode, refresh. Defaults to none of them.
    ///   - logger: Where the server logs.
    ///   - onListening: Called with the port once the server listens.
    /// - Throws: ``DashboardError`` for a non-loopback host without a token.
    public static func serve(client: Client, host: String = "127.0.0.1", port: Int = 8080, options: Options = Options(),
                             logger: Logger = Logger(label: "steadfast.dashboard"),
                             onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        guard isLoopback(host) || options.token != nil else {
            throw DashboardError(message: "refusing to serve the dashboard on \(host) without a token: pass --token (or bind 127.0.0.1)")
        }
        let router = Router()
        Dashboard(client: client, options: options).addRoutes(to: router)
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                              onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
                              logger: logger)
        try await app.runService()
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "127.0.0.1" || host == "::1" || host == "localhost" || host.hasPrefix("127.")
    }
}

/// Why the dashboard cannot start.
public struct DashboardError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
