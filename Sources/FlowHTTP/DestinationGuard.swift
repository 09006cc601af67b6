import Foundation

/// Where a request may go, decided by its caller: each URL (the first and every redirect's, before
/// anything is sent there) and each address a host name resolved to (before the socket is opened).
/// A non-nil answer is the reason to refuse; the request then fails with an `HTTPError` of kind
/// `.refused` and nothing goes to that destination. With a guard, the transport follows redirects
/// itself, one transfer per hop, so no hop escapes the check, and every hop opens a connection of
/// its own (a pooled one may have been opened without the check), so its time includes connecting.
///
/// Through a proxy the address seen is the proxy's (the proxy resolves the target), so only the URL
/// check applies to the target then.
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
