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
