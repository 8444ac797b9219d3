import Foundation
import Hummingbird

/// Lets a request through only with the dashboard's token: `Authorization: Bearer <token>`,
/// the cookie it sets, or `?token=<token>` (answered with that cookie and a redirect to the
/// same page without the token in its address).
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let authorization = request.headers[.authorization], Self.same(authorization, "Bearer " + token) {
            return try await next(request, context)
        }
        if let cookies = request.headers[.cookie],
           cookies.split(separator: ";").contains(where: { Self.same($0.trimmingCharacters(in: .whitespaces), "steadfast_token=" + token) }) {
            return try await next(request, context)
        }
        if let given = request.uri.queryParameters.get("token"), Self.same(given, token) {
            var components = URLComponents(string: request.uri.description)
            let kept = components?.queryItems?.filter { $0.name != "token" }
            components?.queryItems = kept?.isEmpty == false ? kept : nil
            var response = Response.redirect(to: components?.string ?? "/", type: .found)
            response.headers[.setCookie] = "steadfast_token=\(token); HttpOnly; SameSite=Strict; Path=/"
            return response
        }
        return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8", .wwwAuthenticate: "Bearer"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: "a token is required: open the dashboard with ?token=…\n")))
    }

    /// Compares in time independent of where the strings differ.
    static func same(_ a: some StringProtocol, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
