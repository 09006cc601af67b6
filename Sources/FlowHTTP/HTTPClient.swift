import FlowCore
import Foundation
import Logging

/// When and how often a failed request is sent again.
///
/// - Transport errors: a connection never made (refused, or timed out) is retried for every
///   method (nothing was sent); DNS failures, timeouts and broken connections only for idempotent requests
///   (the server may have acted on it); TLS, redirect-loop, size and local-file errors never.
/// - Statuses: 429 and 503 for every method (the server says it did not do the work: the
///   throttling and unavailable answers AWS and most APIs give), 500, 502 and 504 for
///   idempotent requests; nothing else. A `Classifier` (the AWS layer's) can override this.
/// - Waits: exponential from `baseDelay`, capped at `maxDelay`, with "equal jitter" (half
///   fixed, half random); a `Retry-After` of seconds or an HTTP date lengthens it, up to
///   `retryAfterCap`. No retry starts after `deadline` (from the first attempt) has passed.
public struct HTTPRetryPolicy: Sendable {
    /// Attempts in all, the first included; 1 means no retries.
    public var attempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    public var retryAfterCap: Duration
    public var deadline: Duration?
    /// A number in 0..<1 for the random half of each wait (injected in tests).
    public var jitter: @Sendable () -> Double

    public init(attempts: Int = 4, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(20),
                retryAfterCap: Duration = .seconds(60), deadline: Duration? = nil,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryAfterCap = retryAfterCap
        self.deadline = deadline
        self.jitter = jitter
    }

    public static let standard = HTTPRetryPolicy()
    public static let never = HTTPRetryPolicy(attempts: 1)

    /// The wait before retry number `retry` (1 for the first retry).
    public func delay(beforeRetry retry: Int, retryAfter: Duration?) -> Duration {
        let exponent = min(retry - 1, 30)
        let doubled = baseDelay * (1 << exponent)
        let capped = doubled < maxDelay ? doubled : maxDelay
        let jittered = capped / 2 + (capped / 2) * jitter()
        guard let retryAfter else { return jittered }
        let asked = retryAfter < retryAfterCap ? retryAfter : retryAfterCap
        return asked > jittered ? asked : jittered
    }
}

/// Whether a response (of any status) is worth another attempt.
public enum Retryability: Sendable, Equatable {
    case retryable
    case terminal
    /// The policy's own rules decide (by status and idempotency).
    case byStatus
}

public typealias Classifier = @Sendable (HTTPRequest, HTTPResponse) -> Retryability

/// flow's HTTP client: a transport plus the retry policy, with every wait on the injected
/// clock. Returns the final response whatever its status (`requireSuccess()` to insist on
/// 2xx); throws the last `HTTPError` when every attempt failed in transport.
public struct HTTPClient: Sendable {
    public let transport: any HTTPTransport
    public let clock: any FlowClock
    public var retry: HTTPRetryPolicy
    let logger: Logger

    public init(transport: any HTTPTransport, clock: any FlowClock, retry: HTTPRetryPolicy = .standard,
                logger: Logger = Logger(label: "flow.http")) {
        self.transport = transport
        self.clock = clock
        self.retry = retry
        self.logger = logger
    }

    public func send(_ request: HTTPRequest, classify: Classifier? = nil) async throws -> HTTPResponse {
        let started = clock.now()
        var attempt = 1
        while true {
            let outcome: Result<HTTPResponse, HTTPError>
            do {
                outcome = .success(try await transport.perform(request))
            } catch let error as HTTPError {
                outcome = .failure(error)
            }
            let (again, retryAfter) = shouldRetry(request, outcome, classify: classify)
            guard again, attempt < retry.attempts else { return try outcome.get() }
            let wait = retry.delay(beforeRetry: attempt, retryAfter: retryAfter)
            if let deadline = retry.deadline,
               clock.now().addingTimeInterval(wait.seconds) > started.addingTimeInterval(deadline.seconds) {
                return try outcome.get()
            }
            attempt += 1
            logger.info("\(request.method) \(request.displayURL): \(summary(outcome)); retrying in \(wait.seconds) s (attempt \(attempt) of \(retry.attempts))")
            try await clock.sleep(for: wait)
        }
    }

    private func shouldRetry(_ request: HTTPRequest, _ outcome: Result<HTTPResponse, HTTPError>,
                             classify: Classifier?) -> (Bool, Duration?) {
        switch outcome {
        case .failure(let error):
            switch error.kind {
            case .connect: return (true, nil)
            case .dns, .timeout, .connectionLost: return (request.isIdempotent, nil)
            default: return (false, nil)
            }
        case .success(let response):
            let verdict = classify?(request, response) ?? .byStatus
            let retryAfter = RetryAfter.parse(response.headers["Retry-After"], now: clock.now())
            switch verdict {
            case .retryable: return (true, retryAfter)
            case .terminal: return (false, nil)
            case .byStatus:
                switch response.status {
                case 429, 503: return (true, retryAfter)
                case 500, 502, 504: return (request.isIdempotent, retryAfter)
                default: return (false, nil)
                }
            }
        }
    }

    private func summary(_ outcome: Result<HTTPResponse, HTTPError>) -> String {
        switch outcome {
        case .success(let response): "\(response.status) \(HTTPStatusText.reason(response.status))"
        case .failure(let error): "\(error.kind.rawValue): \(error.message)"
        }
    }
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
enum RetryAfter {
    static func parse(_ value: String?, now: Date) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(max(0, Int(date.timeIntervalSince(now) * 1000)))
    }
}

extension Duration {
    /// As a number of seconds (for `Date` arithmetic and messages).
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
