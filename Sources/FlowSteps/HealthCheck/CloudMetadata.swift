import Foundation
import FlowHTTP
import Glibc

/// The cloud metadata and credentials endpoints a health check must not reach unless told to:
/// a URL that points there (also after a redirect, and by a name that resolves there) would read
/// the machine's or the task's credentials into flow's log. Checked by URL host (every IPv4
/// spelling `inet_aton` reads: `2852039166`, `0xa9fea9fe`, `0251.0376.0251.0376`; IPv6 with the
/// IPv4 address embedded: `::ffff:169.254.169.254`, NAT64 `64:ff9b::`) before a request goes,
/// and by the address a name resolved to before a socket is opened (`DestinationGuard`).
public enum CloudMetadata {
    /// Address → what answers there.
    public static let ipv4: [String: String] = [
        "169.254.169.254": "the instance metadata service (AWS IMDS, also GCP, Azure, OpenStack): the machine's role credentials",
        "169.254.170.2": "the ECS task metadata and credentials endpoint: the task role's credentials",
        "169.254.170.23": "the EKS Pod Identity agent: the pod's role credentials",
    ]
    public static let ipv6: [String: String] = [
        "fd00:ec2::254": "the AWS instance metadata service over IPv6: the machine's role credentials",
        "fd00:ec2::23": "the EKS Pod Identity agent over IPv6: the pod's role credentials",
    ]

    /// The guard a check without `allow-metadata` sends its requests with.
    public static let destinationGuard = DestinationGuard(url: { reason(forURL: $0) }, address: { reason(forAddress: $0) })

    /// Why `url` must not be requested (its host is a metadata address in any spelling), or nil.
    public static func reason(forURL url: String) -> String? {
        guard let host = host(of: url) else { return nil }
        return reason(forAddress: host)
    }

    /// Why a connection to `address` (numeric, or a host as written in a URL) is refused, or nil.
    public static func reason(forAddress address: String) -> String? {
        guard let (canonical, what) = classify(address) else { return nil }
        let shown = canonical == address ? canonical : "\(address) (that is \(canonical))"
        return "\(shown) is a cloud metadata address, \(what); set `allow-metadata: true` on the check to allow it"
    }

    /// The metadata address `text` stands for (canonical form) and what answers there.
    static func classify(_ text: String) -> (String, String)? {
        var host = text
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if let percent = host.firstIndex(of: "%") { host = String(host[..<percent]) }   // an IPv6 zone
        if host.hasSuffix(".") { host.removeLast() }
        if let v4 = ipv4Address(host) { return ipv4[v4].map { (v4, $0) } }
        guard var bytes = ipv6Bytes(host) else { return nil }
        let v6 = ipv6Text(&bytes)
        if let what = ipv6[v6] { return (v6, what) }
        // An IPv4 address inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d) or NAT64 (64:ff9b::a.b.c.d).
        let prefix = Array(bytes[0..<12])
        let mapped = prefix == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]
        let compatible = prefix == [UInt8](repeating: 0, count: 12)
        let nat64 = prefix == [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
        guard mapped || compatible || nat64 else { return nil }
        let v4 = bytes[12...].map(String.init).joined(separator: ".")
        return ipv4[v4].map { (v4, $0) }
    }

    /// `a.b.c.d` for any IPv4 spelling `inet_aton` accepts (what curl and getaddrinfo accept).
    static func ipv4Address(_ host: String) -> String? {
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == "." || $0 == "x" || $0 == "X") }) else { return nil }
        var address = in_addr()
        guard inet_aton(host, &address) != 0 else { return nil }
        let value = UInt32(bigEndian: address.s_addr)
        return [24, 16, 8, 0].map { String((value >> $0) & 0xff) }.joined(separator: ".")
    }

    static func ipv6Bytes(_ host: String) -> [UInt8]? {
        guard host.contains(":") else { return nil }
        var address = in6_addr()
        guard inet_pton(AF_INET6, host, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    static func ipv6Text(_ bytes: inout [UInt8]) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = bytes.withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(cString: text)
    }

    /// The host of `url` as written (brackets of an IPv6 literal removed), lower-cased.
    static func host(of url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        var rest = url[schemeEnd.upperBound...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            return String(rest[rest.index(after: rest.startIndex)..<close]).lowercased()
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        let host = String(rest).removingPercentEncoding ?? String(rest)
        return host.lowercased()
    }
}
