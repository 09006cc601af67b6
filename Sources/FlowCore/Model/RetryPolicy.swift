/// How often and how patiently a step is tried again. `attempts` counts tries, not retries.
public struct RetryPolicy: Hashable, Sendable {
    public var attempts: Int
    public var backoff: Backoff
    /// Give up once this much time has passed since the first attempt started.
    public var deadline: DurationValue?
    /// Retry only when the step exits with one of these codes; `nil` means any failure.
    public var exitCodes: [Int]?

    public init(attempts: Int = 1, backoff: Backoff = Backoff(), deadline: DurationValue? = nil, exitCodes: [Int]? = nil) {
        self.attempts = attempts
        self.backoff = backoff
        self.deadline = deadline
        self.exitCodes = exitCodes
    }

    /// One try, no retry: what a step gets when neither it nor `defaults` says otherwise.
    public static let none = RetryPolicy()
}

extension RetryPolicy {
    /// What to do after a try failed.
    public enum Decision: Hashable, Sendable {
        /// Try again after this delay (jitter applied).
        case retry(after: DurationValue)
        case stop
    }

    /// The retry decision, a pure function of the policy and what is known of the failure:
    /// try `tries` (1 for the first) failed with `exitCode`, `retryable` unless the step said
    /// retrying cannot help, `elapsed` since the first try started. Another try is made when
    /// the policy has tries left, the exit code is one it retries (when it names codes), and
    /// the delay before it ends within the deadline. `jitter` maps the delay in milliseconds to
    /// the jittered one (full jitter draws from 0 up to it), used only when the backoff asks.
    public func decide(afterTry tries: Int, retryable: Bool, exitCode: Int32?, elapsed: DurationValue,
                       jitter: (Double) -> Double) -> Decision {
        guard retryable, tries < attempts else { return .stop }
        if let exitCodes {
            guard let exitCode, exitCodes.contains(Int(exitCode)) else { return .stop }
        }
        let delay = backoff.delay(afterAttempt: tries)
        let jittered = backoff.jitter ? DurationValue(milliseconds: Int64(jitter(Double(delay.milliseconds)))) : delay
        if let deadline, elapsed.milliseconds + jittered.milliseconds >= deadline.milliseconds { return .stop }
        return .retry(after: jittered)
    }
}

/// Exponential backoff: `initial × factor^(n-1)`, capped at `max`, optionally with full jitter.
public struct Backoff: Hashable, Sendable {
    public var initial: DurationValue
    public var factor: Double
    public var max: DurationValue
    public var jitter: Bool

    public init(initial: DurationValue = .seconds(1), factor: Double = 2, max: DurationValue = .seconds(60), jitter: Bool = false) {
        self.initial = initial
        self.factor = factor
        self.max = max
        self.jitter = jitter
    }

    /// The delay before attempt `n + 1` after attempt `n` (n ≥ 1) failed, before jitter.
    public func delay(afterAttempt n: Int) -> DurationValue {
        let raw = Double(initial.milliseconds) * pow(factor, Double(Swift.max(0, n - 1)))
        let capped = Swift.min(raw, Double(max.milliseconds))
        return DurationValue(milliseconds: Int64(capped.isFinite ? capped : Double(max.milliseconds)))
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var n = Int(exponent)
    while n > 0 && result < 1e300 { result *= base; n -= 1 }
    return result
}
