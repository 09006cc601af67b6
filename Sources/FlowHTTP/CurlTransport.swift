import CCurl
import Foundation
import Logging
import Synchronization

/// The real transport: libcurl easy handles driven by one multi handle on one thread
/// (`CurlLoop`). Many requests run at once on that thread, connections are kept alive and
/// shared between requests through the multi handle's cache, and bodies stream through
/// fixed buffers in both directions. Cancelling the calling task removes the transfer at once.
public struct CurlTransport: HTTPTransport {
    public let proxies: ProxySettings
    public let userAgent: String
    let logger: Logger

    /// `environment` supplies the proxy variables (see `ProxySettings`).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                userAgent: String = "flow", logger: Logger = Logger(label: "flow.http")) {
        proxies = ProxySettings(environment: environment)
        self.userAgent = userAgent
        self.logger = logger
    }

    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        // Whoever asked for an insecure request says so where its user reads (the push step's
        // log); on the terminal this line would break into the live view of every request.
        if request.insecure {
            logger.debug("TLS verification is off for \(request.method) \(request.displayURL): the request says insecure")
        }
        if let guarded = request.destinationGuard, let reason = guarded.url(request.url) {
            throw HTTPError(kind: .refused, method: request.method, url: request.url, message: reason)
        }
        if request.maxRedirects > 0, request.destinationGuard != nil || CurlTransfer.customMethod(request) != nil {
            return try await performFollowingRedirects(request)
        }
        return try await transfer(request).response
    }

    /// One libcurl transfer (with whatever redirects libcurl follows itself), and where its
    /// response redirects to when libcurl did not follow it.
    func transfer(_ request: HTTPRequest) async throws -> (response: HTTPResponse, redirectURL: String?) {
        if let guarded = request.destinationGuard, proxies.proxy(for: request.url) != nil {
            try await ProxiedDestination.check(request, guarded)
        }
        let transfer = try CurlTransfer(request, proxy: proxies.proxy(for: request.url), noProxy: proxies.noProxy,
                                        userAgent: userAgent)
        let loop = CurlLoop.shared
        let response = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.start(continuation)
                loop.submit(transfer)
            }
        } onCancel: {
            transfer.markCancelled()
            loop.cancel(transfer)
        }
        return (response, transfer.redirectURL)
    }

    /// Why libcurl cannot be used (it is loaded on first use, not linked), or nil when it can.
    public static var libraryProblem: String? { CurlGlobal.problem }

    /// libcurl's version and TLS backend, as `curl_version_info` reports them.
    public static var libraryVersion: (version: String, tls: String) {
        if let problem = CurlGlobal.problem { return ("unavailable (\(problem))", "none") }
        guard let info = flow_curl_version() else { return ("unknown", "unknown") }
        let version = info.pointee.version.map { String(cString: $0) } ?? "unknown"
        let tls = info.pointee.ssl_version.map { String(cString: $0) } ?? "none"
        return (version, tls)
    }
}

/// libcurl loaded (`flow_curl_load`) and `curl_global_init` called, once per process, before
/// any handle exists. `problem` says why libcurl cannot be used; nil when it can.
enum CurlGlobal {
    static let problem: String? = {
        if let reason = flow_curl_load() { return String(cString: reason) }
        let code = flow_curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return code == CURLE_OK ? nil : "curl_global_init failed: \(String(cString: flow_curl_easy_strerror(code)))"
    }()
}

/// One thread running libcurl's multi interface. Requests arrive through an inbox (with
/// `curl_multi_wakeup` to interrupt the poll); everything else — adding and removing easy
/// handles, performing, reading completions — happens on this thread only.
final class CurlLoop: @unchecked Sendable {
    static let shared = CurlLoop()

    private struct Inbox {
        var adds: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    /// Transfers inside the multi handle. Touched by the loop thread only.
    private var active: [ObjectIdentifier: CurlTransfer] = [:]

    private init() {
        precondition(CurlGlobal.problem == nil, "a transfer exists only once libcurl is loaded")
        guard let multi = flow_curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.multi = multi
        let thread = Thread { [self] in run() }
        thread.name = "flow.http"
        thread.start()
    }

    func submit(_ transfer: CurlTransfer) {
        inbox.withLock { $0.adds.append(transfer) }
        flow_curl_multi_wakeup(multi)
    }

    func cancel(_ transfer: CurlTransfer) {
        inbox.withLock { $0.cancels.append(transfer) }
        flow_curl_multi_wakeup(multi)
    }

    private func run() {
        while true {
            let work = inbox.withLock { inbox in
                defer { inbox = Inbox() }
                return inbox
            }
            for transfer in work.adds { add(transfer) }
            for transfer in work.cancels where active.removeValue(forKey: ObjectIdentifier(transfer)) != nil {
                flow_curl_multi_remove_handle(multi, transfer.easy)
                transfer.finish(.failure(CancellationError()))
            }
            var running: Int32 = 0
            flow_curl_multi_perform(multi, &running)
            collectCompletions()
            // Waits for socket activity, libcurl's next timeout or a wake-up, whichever is first.
            flow_curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }

    private func add(_ transfer: CurlTransfer) {
        if transfer.isCancelled {
            transfer.finish(.failure(CancellationError()))
            return
        }
        let code = flow_curl_multi_add_handle(multi, transfer.easy)
        guard code == CURLM_OK else {
            let message = String(cString: flow_curl_multi_strerror(code))
            transfer.finish(.failure(HTTPError(kind: .other, method: transfer.request.method, url: transfer.request.url,
                                               message: "libcurl refused the transfer: \(message)")))
            return
        }
        active[ObjectIdentifier(transfer)] = transfer
    }

    private func collectCompletions() {
        var left: Int32 = 0
        while let message = flow_curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            var context: UnsafeMutableRawPointer?
            _ = flow_curl_get_pointer(easy, CURLINFO_PRIVATE, &context)
            flow_curl_multi_remove_handle(multi, easy)
            guard let context else { continue }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            active.removeValue(forKey: ObjectIdentifier(transfer))
            transfer.finish(transfer.outcome(result))
        }
    }
}
