import Foundation
import Hummingbird
import Steadfast

/// The dashboard's request handlers: each page a `steadfast.*` read through the client,
/// rendered to HTML; each action a POST checked for its CSRF secret.
struct Pages: Sendable {
    let dashboard: Dashboard
    /// The path the dashboard is mounted at (`""` for the root).
    let base: String

    var client: Client { dashboard.client }
    var readOnly: Bool { dashboard.options.readOnly }

    /// A rendered page, or the error page (with the engine's message, escaped) when the read
    /// failed: an unknown id is a 404, bad input a 400.
    func respond(_ request: Request, _ render: () async throws -> String) async throws -> Response {
        do {
            return Self.html(try await render())
        } catch let error as SteadfastError {
            return Self.html(page(title: "Error", active: "", body: "<div class=\"error\">\(HTML.escape(error.message))</div>"),
                             status: Self.status(of: error, otherwise: .internalServerError))
        }
    }

    /// Runs an action (a POST): refused in read-only mode, without the form's CSRF secret, or
    /// from another origin; an engine's refusal is shown as an error page.
    func act(_ request: Request, _ action: (Form) async throws -> Response) async throws -> Response {
        guard !readOnly else {
            return Self.html(page(title: "Read-only", active: "", body: "<div class=\"error\">This dashboard is read-only.</div>"),
                             status: .forbidden)
        }
        if let origin = request.headers[.origin], let host = request.head.authority,
           URL(string: origin)?.host.map({ host == $0 || host.hasPrefix($0 + ":") }) != true {
            return Self.html(page(title: "Refused", active: "", body: "<div class=\"error\">Cross-origin request refused.</div>"),
                             status: .forbidden)
        }
        let form = Form(try await request.body.collect(upTo: 1 << 20))
        guard let secret = form["csrf"], TokenMiddleware<BasicRequestContext>.same(secret, dashboard.csrf) else {
            return Self.html(page(title: "Refused", active: "", body: "<div class=\"error\">The form has expired: reload the page and try again.</div>"),
                             status: .forbidden)
        }
        do {
            return try await action(form)
        } catch let error as SteadfastError {
            return Self.html(page(title: "Refused", active: "", body: "<div class=\"error\">\(HTML.escape(error.message))</div>"),
                             status: Self.status(of: error))
        }
    }

    /// The HTTP status of an engine's answer: an unknown id 404, bad input 400, anything else
    /// (a refusal of the workflow's state, a conflict) `otherwise`.
    static func status(of error: SteadfastError, otherwise: HTTPResponse.Status = .conflict) -> HTTPResponse.Status {
        switch error.code {
        case .notFound: .notFound
        case .invalidArgument: .badRequest
        default: otherwise
        }
    }

    /// The hidden field every form carries.
    var csrfField: String { "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(dashboard.csrf))\">" }

    func page(title: String, active: String, body: String, live: String? = nil) -> String {
        Layout.page(title: title, active: active, base: base, body: body, live: live, readOnly: readOnly)
    }

    /// A link inside the dashboard.
    func link(_ path: String) -> String { HTML.escape(base + path) }

    /// A workflow's page address.
    func workflowLink(_ id: String) -> String { link("/workflow?id=" + HTML.query(id)) }

    /// After an action: to `path`, with a notice.
    func redirect(_ path: String, notice: String) -> Response {
        let separator = path.contains("?") ? "&" : "?"
        return Response.redirect(to: base + path + separator + "notice=" + HTML.query(notice), type: .normal)
    }

    /// The `notice` a redirect carried, as a banner.
    func notice(_ request: Request) -> String {
        guard let notice = request.uri.queryParameters.get("notice"), !notice.isEmpty else { return "" }
        return "<div class=\"notice\" id=\"notice\">\(HTML.escape(notice))</div>"
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status,
                 headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                           .contentSecurityPolicy: "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A Server-Sent Events stream: `event: change` each time `fingerprint` changes, a comment
    /// otherwise (which also notices a closed connection), every ``Dashboard/Options/liveInterval``.
    /// With `workflowID`, the engine's notifications about that workflow (finished, an event,
    /// a stream write: LISTEN) end the wait at once; steps, which notify nothing, are seen at
    /// the next read.
    func live(_ request: Request, workflowID: String? = nil,
              _ fingerprint: @escaping @Sendable () async throws -> String) -> Response {
        let interval = dashboard.options.liveInterval
        let client = self.client
        // The version the page was rendered at: a change between the render and this
        // connection is a change too.
        let rendered = request.uri.queryParameters.get("v")
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
                        body: ResponseBody { writer in
            if let workflowID {
                try await client.watching(workflowID) { wait in
                    try await Self.stream(into: &writer, rendered: rendered, interval: interval, wait: wait, fingerprint)
                }
            } else {
                try await Self.stream(into: &writer, rendered: rendered, interval: interval,
                                      wait: { try? await Task.sleep(for: $0) }, fingerprint)
            }
            try await writer.finish(nil)
        })
    }

    private static func stream(into writer: inout any ResponseBodyWriter, rendered: String?, interval: Duration,
                               wait: @Sendable (Duration) async -> Void,
                               _ fingerprint: @Sendable () async throws -> String) async throws {
        let first = Self.version(try await fingerprint())
        var last = first
        if let rendered, rendered != first {
            try await writer.write(ByteBuffer(string: "event: change\ndata: \n\n"))
        }
        try await writer.write(ByteBuffer(string: ": live\n\n"))
        while !Task.isCancelled {
            await wait(interval)
            let now = try await Self.version(fingerprint())
            if now != last {
                last = now
                try await writer.write(ByteBuffer(string: "event: change\ndata: \n\n"))
            } else {
                try await writer.write(ByteBuffer(string: ": ping\n\n"))
            }
        }
    }
}

extension Pages {
    /// A short, stable digest of what a live page shows (64-bit FNV-1a, hex): the page carries
    /// it in its live address (`v`), the stream compares with it.
    static func version(_ fingerprint: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in fingerprint.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return String(hash, radix: 16)
    }
}

/// An `application/x-www-form-urlencoded` body.
struct Form: Sendable {
    private var values: [String: [String]] = [:]

    init(_ buffer: ByteBuffer) {
        let text = String(buffer: buffer)
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first, !name.isEmpty else { continue }
            values[name, default: []].append(parts.count > 1 ? parts[1] : "")
        }
    }

    /// The field's first value; `nil` when absent or empty.
    subscript(_ name: String) -> String? {
        guard let value = values[name]?.first, !value.isEmpty else { return nil }
        return value
    }
}
