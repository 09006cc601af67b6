import Foundation

/// Redirects of requests whose method libcurl would not change. libcurl sends a custom method
/// (`CURLOPT_CUSTOMREQUEST`: PUT or PATCH with a body in memory, POST with a file, DELETE…)
/// unchanged on every redirect it follows, so a 303 after `PUT` would be answered with another
/// `PUT` to the "see other" resource (libcurl 8.13's `CURLFOLLOW_OBEYCODE` fixes that, but
/// flow runs on older ones). Such requests are followed here, one transfer per hop, with the
/// rules libcurl applies to the requests it follows itself. So are the redirects of a request
/// with a `DestinationGuard`, whose every target is checked before the hop to it.
extension CurlTransport {
    func performFollowingRedirects(_ original: HTTPRequest) async throws -> HTTPResponse {
        let started = ContinuousClock.now
        var request = original
        request.maxRedirects = 0
        var followed = 0
        var elapsed = Duration.zero
        while true {
            var hop = request
            if let timeout = original.timeout {
                let left = timeout - (ContinuousClock.now - started)
                guard left > .zero else {
                    throw HTTPError(kind: .timeout, method: original.method, url: original.url,
                                    message: "the \(timeout) allowed ran out after \(followed) redirects")
                }
                hop.timeout = left
            }
            var (response, location) = try await transfer(hop)
            elapsed += response.totalTime ?? .zero
            guard let location, Redirect.followed.contains(response.status) else {
                response.redirects = followed
                response.totalTime = elapsed
                return response
            }
            followed += 1
            guard followed <= original.maxRedirects else {
                throw HTTPError(kind: .tooManyRedirects, method: original.method, url: original.url,
                                message: "Maximum (\(original.maxRedirects)) redirects followed")
            }
            if let guarded = original.destinationGuard, let reason = guarded.url(location) {
                throw HTTPError(kind: .refused, method: original.method, url: original.url,
                                message: "redirect \(followed) (\(response.status)) to \(HTTPRequest.display(location)): \(reason)")
            }
            request = Redirect.next(after: request, status: response.status, to: location)
        }
    }
}

enum Redirect {
    static let followed: Set<Int> = [301, 302, 303, 307, 308]

    /// The request a redirect asks for: a 303 turns any method but HEAD into a GET without a
    /// body, as do 301 and 302 after a POST; 307 and 308 repeat the request as it was. Going to
    /// another origin drops the credentials: `Authorization` and `Cookie` headers and signing.
    static func next(after request: HTTPRequest, status: Int, to location: String) -> HTTPRequest {
        var next = request
        next.url = location
        let method = request.method.uppercased()
        if (status == 303 && method != "HEAD") || ([301, 302].contains(status) && method == "POST") {
            next.method = "GET"
            next.body = .none
            next.idempotent = nil
            for name in ["Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding", "Expect"] {
                next.headers.remove(name)
            }
        }
        if origin(location) != origin(request.url) {
            next.signing = nil
            next.headers.remove("Authorization")
            next.headers.remove("Cookie")
        }
        return next
    }

    /// Scheme, host and port, compared case-insensitively.
    static func origin(_ url: String) -> String? {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              let host = parts.host?.lowercased() else { return nil }
        return "\(scheme)://\(host):\(parts.port ?? (scheme == "https" ? 443 : 80))"
    }
}
