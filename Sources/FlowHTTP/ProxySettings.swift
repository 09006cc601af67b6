/// Proxies from the standard environment variables, read once from the environment the
/// transport is given (not from the process's at request time, so tests can pass their own):
/// `https_proxy`/`HTTPS_PROXY` for https URLs, `http_proxy`/`HTTP_PROXY` for http URLs,
/// `all_proxy`/`ALL_PROXY` for either when the specific one is unset, `no_proxy`/`NO_PROXY`
/// (curl's matching: host names and domain suffixes, `*` for all). Lower case wins, as in curl
/// and Go. `HTTP_PROXY` in upper case is ignored when `REQUEST_METHOD` is set (a CGI
/// environment, where a client's `Proxy:` header becomes `HTTP_PROXY`: "httpoxy").
public struct ProxySettings: Sendable, Equatable {
    public var http: String?
    public var https: String?
    public var noProxy: String?

    public init(http: String? = nil, https: String? = nil, noProxy: String? = nil) {
        self.http = http
        self.https = https
        self.noProxy = noProxy
    }

    public init(environment: [String: String]) {
        func first(_ names: String...) -> String? {
            names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        }
        let all = first("all_proxy", "ALL_PROXY")
        https = first("https_proxy", "HTTPS_PROXY") ?? all
        let cgi = environment["REQUEST_METHOD"] != nil
        http = (cgi ? first("http_proxy") : first("http_proxy", "HTTP_PROXY")) ?? all
        noProxy = first("no_proxy", "NO_PROXY")
    }

    /// The proxy for `url` (before `no_proxy`, which libcurl applies), or nil for none.
    public func proxy(for url: String) -> String? {
        let scheme = url.prefix { $0 != ":" }.lowercased()
        return scheme == "https" ? https : scheme == "http" ? http : nil
    }
}
