import Foundation
import FlowCore
import FlowHTTP

/// Waits for a stack to reach a terminal status: polls `DescribeStacks` with backoff through
/// the step's clock, and streams the stack's new events into the log as they come, oldest
/// first, each once. Events that were there before the operation started (``baseline(_:)``)
/// or that carry another operation's `ClientRequestToken` are not shown.
public struct StackWaiter: Sendable {
    /// Reads the stack; nil when it does not exist (deleted).
    public var describe: @Sendable () async throws -> StackDescription?
    /// Reads the stack's events newer than the known ones, newest first.
    public var events: @Sendable (_ known: Set<String>) async throws -> [StackEvent]
    public var clock: any FlowClock
    /// Where each event line goes (the step log).
    public var log: @Sendable (String) -> Void
    public var backoff: Backoff

    /// Poll intervals: `initial`, times `factor` after each poll that saw nothing new, at most
    /// `max`; back to `initial` when an event arrives.
    public struct Backoff: Sendable, Hashable {
        public var initial: Duration
        public var factor: Double
        public var max: Duration

        public init(initial: Duration, factor: Double, max: Duration) {
            self.initial = initial
            self.factor = factor
            self.max = max
        }

        /// 2 s, ×1.5, at most 15 s: a few seconds behind a stack's events, a few hundred calls an hour.
        public static let standard = Backoff(initial: .seconds(2), factor: 1.5, max: .seconds(15))

        func next(after current: Duration) -> Duration {
            let seconds = Swift.min(current.seconds * factor, max.seconds)
            return .milliseconds(Int64(seconds * 1000))
        }
    }

    public init(describe: @escaping @Sendable () async throws -> StackDescription?,
                events: @escaping @Sendable (_ known: Set<String>) async throws -> [StackEvent],
                clock: any FlowClock, backoff: Backoff = .standard, log: @escaping @Sendable (String) -> Void) {
        self.describe = describe
        self.events = events
        self.clock = clock
        self.backoff = backoff
        self.log = log
    }

    /// A waiter on `stack` (a name or, better, the stack id: a deleted stack is found by id only).
    public init(client: CloudFormationClient, stack: String, clock: any FlowClock, backoff: Backoff = .standard,
                log: @escaping @Sendable (String) -> Void) {
        self.init(describe: { try await client.describeStack(stack) },
                  events: { known in try await client.events(stack, after: known) },
                  clock: clock, backoff: backoff, log: log)
    }

    /// How a wait ended.
    public struct Result: Sendable, Hashable {
        /// The stack at the end; nil when it no longer exists.
        public var stack: StackDescription?
        /// The first `*_FAILED` event of the operation, oldest first (the cause, usually).
        public var firstFailure: StackEvent?
        /// Every event shown, oldest first.
        public var events: [StackEvent]

        /// The status at the end (`DELETE_COMPLETE` when the stack is gone).
        public var status: StackStatus { stack?.status ?? StackStatus("DELETE_COMPLETE") }
    }

    /// The wait ran out of time with the stack still moving.
    public struct TimedOut: Error, Sendable, Hashable {
        public var status: StackStatus
        public init(status: StackStatus) { self.status = status }
    }

    /// The ids of the events the stack has now: pass them to ``wait(deadline:token:known:)`` so
    /// that only the next operation's events are shown. Empty for a stack that does not exist.
    public func baseline() async throws -> Set<String> {
        Set(try await events([]).map(\.id))
    }

    /// Polls until the stack's status is terminal or `deadline` passes (then ``TimedOut``).
    /// `token` filters events to one operation's `ClientRequestToken` when events carry one.
    /// `startStatus` is the stack's status before the operation was asked for: the same
    /// terminal status read again is taken as the end only once the stack's own event says so,
    /// since `DescribeStacks` may still show the old status just after the request (LocalStack
    /// does; AWS's reads are eventually consistent too). A retryable error of a poll
    /// (throttling) is waited out like any poll.
    public func wait(deadline: Date, token: String? = nil, known: Set<String> = [], startStatus: StackStatus? = nil) async throws -> Result {
        var seen = known
        var stackEvents: Set<String> = []
        var shown: [StackEvent] = []
        var interval = backoff.initial
        var lastStatus: StackStatus?
        while true {
            var fresh: [StackEvent] = []
            var stack: StackDescription?
            var polled = true
            do {
                fresh = try await events(seen)
                stack = try await describe()
            } catch let error as AWSError where error.isRetryable {
                log("CloudFormation answered \(error.code) while flow polled; polling on")
                polled = false
            }
            /// Shows the events not seen yet, oldest first; whether there were any.
            func show(_ fresh: [StackEvent]) -> Bool {
                let ordered = Self.chronological(fresh.filter { !seen.contains($0.id) })
                for event in ordered {
                    seen.insert(event.id)
                    if let token, let eventToken = event.clientRequestToken, eventToken != token { continue }
                    shown.append(event)
                    log(event.line)
                    if event.resourceType == "AWS::CloudFormation::Stack" { stackEvents.insert(event.status) }
                }
                return !ordered.isEmpty
            }
            /// The end: the events written between this poll's two reads (a stack that failed
            /// while the events were being read) are read once more, so the failure is shown.
            func end(_ stack: StackDescription?) async -> Result {
                if let late = try? await events(seen) { _ = show(late) }
                return Result(stack: stack, firstFailure: Self.firstFailure(shown), events: shown)
            }
            if polled {
                let any = show(fresh)
                if any { interval = backoff.initial }
                guard let stack else { return await end(nil) }
                if stack.status != lastStatus, !any, lastStatus != nil {
                    log("stack \(stack.name) is \(stack.status)")
                }
                lastStatus = stack.status
                let stale = stack.status == startStatus && !stackEvents.contains(stack.status.rawValue)
                if !stack.status.isInProgress && !stale { return await end(stack) }
            }
            if clock.now() >= deadline {
                throw TimedOut(status: lastStatus ?? StackStatus("UNKNOWN"))
            }
            let remaining = deadline.timeIntervalSince(clock.now())
            let pause = Swift.min(interval.seconds, Swift.max(remaining, 0))
            try await clock.sleep(for: .milliseconds(Int64(pause * 1000)))
            interval = backoff.next(after: interval)
        }
    }

    /// Events as the API lists them (newest first) put oldest first; within one timestamp the
    /// API's order, reversed.
    static func chronological(_ newestFirst: [StackEvent]) -> [StackEvent] {
        Array(newestFirst.enumerated().sorted { a, b in
            a.element.timestamp != b.element.timestamp ? a.element.timestamp < b.element.timestamp : a.offset > b.offset
        }.map(\.element))
    }

    static func firstFailure(_ events: [StackEvent]) -> StackEvent? {
        // The stack's own event ("The following resource(s) failed to create: [X]") comes after
        // the resource's; prefer a resource's reason.
        let failed = events.filter { StackStatus.isFailedResourceStatus($0.status) && $0.reason != nil }
        return failed.first { $0.resourceType != "AWS::CloudFormation::Stack" } ?? failed.first
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
