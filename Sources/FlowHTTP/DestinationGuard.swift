import Foundation
import Glibc

/// Where a request may go, decided by its caller: each URL (the first and every redirect's, before
/// anything is sent there) and each address a host name resolved to (before the socket is opened).
/// A non-nil answer is the reason to refuse; the request then fails with an `HTTPError` of kind
/// `.refused` and nothing goes to that destination. With a guard, the transport follows redirects
/// itself, one transfer per hop, so no hop escapes the check, and every hop opens a connection of
/// its own (a pooled one may have been opened without the check), so its time includes connecting.
///
/// Through a proxy the socket is the proxy's and the proxy resolves the target: flow then resolves
/// the target's host itself before the request (``ProxiedDestination``).
public struct DestinationGuard: Sendable {
    /// The reason to refuse this absolute URL, or nil.
    public var url: @Sendable (String) -> String?
    /// The reason to refuse a connection to this numeric address (`169.254.169.254`, `fd00:ec2::254`), or nil.
    public var address: @Sendable (String) -> String?

    public init(url: @escaping @Sendable (String) -> String?, address: @escaping @Sendable (String) -> String?) {
        self.url = url
        self.address = address
    }
}

/// Through a proxy, libcurl connects to the proxy and the proxy resolves the target, so the socket
/// check sees only the proxy's address. Before such a request flow resolves the target's host
/// itself and refuses it when any address is refused. A host that does not resolve here (only the
/// proxy knows it) passes: the proxy may also resolve differently from this machine (split DNS),
/// which flow cannot see.
enum ProxiedDestination {
    static func check(_ request: HTTPRequest, _ guarded: DestinationGuard) async throws {
        guard var host = URLComponents(string: request.url)?.host, !host.isEmpty else { return }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let name = host
        let addresses = await withCheckedContinuation { continuation in
            // getaddrinfo blocks: on a thread of its own, not the caller's cooperative one.
            Thread { continuation.resume(returning: resolve(name)) }.start()
        }
        for address in addresses {
            if let reason = guarded.address(address) {
                throw HTTPError(kind: .refused, method: request.method, url: request.url,
                                message: "\(HTTPRequest.display(request.url)) resolves to \(address): \(reason)")
            }
        }
    }

    /// Every address `host` resolves to here, as numeric text; none when it does not resolve.
    static func resolve(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var entry = list
        while let current = entry {
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(current.pointee.ai_addr, current.pointee.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0 {
                let address = String(cString: text)
                if !addresses.contains(address) { addresses.append(address) }
            }
            entry = current.pointee.ai_next
        }
        return addresses
    }
}
