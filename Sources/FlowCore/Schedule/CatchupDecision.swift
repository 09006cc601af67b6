import Foundation

/// What a schedule does with the fire times that came due since it last looked, in the order
/// they are applied:
///
/// 1. `catchup` picks the times that should still run: `latest` (the default) the most recent
///    one, `all` every one no older than `catchup-window` (default 24h), `none` only a time that
///    is on time (no more than ``onTimeGrace`` late, the daemon's ordinary wake-up latency).
///    The others are recorded as skipped, one row per consecutive range, with the reason.
/// 2. `starting-deadline`: a time picked to run that is later than its deadline is recorded as
///    missed, never dropped silently.
///
/// Pure: `now` and the due times come from the caller.
public enum CatchupDecision {
    /// How late a fire may be and still count as on time for `catchup: none`.
    public static let onTimeGrace: TimeInterval = 60
    /// `catchup-window` when `catchup: all` gives none.
    public static let defaultWindow: TimeInterval = 24 * 3600

    public struct Policy: Sendable, Hashable {
        public var catchup: ScheduleEntry.Catchup
        /// `catchup-window`, seconds (only `all` reads it).
        public var window: TimeInterval?
        /// `starting-deadline`, seconds.
        public var deadline: TimeInterval?

        public init(catchup: ScheduleEntry.Catchup = .latest, window: TimeInterval? = nil, deadline: TimeInterval? = nil) {
            self.catchup = catchup
            self.window = window
            self.deadline = deadline
        }
    }

    public enum Kind: String, Sendable, Hashable {
        /// Start a run for it.
        case fire
        /// Left out by the catch-up policy (recorded, with the reason).
        case skipped
        /// Later than its `starting-deadline` (recorded, with the reason).
        case missed
    }

    /// One decided fire, or a range of consecutive times decided alike (`count` > 1).
    public struct Decided: Sendable, Hashable {
        public var scheduled: Date
        /// The last time of a range; nil for a single time.
        public var through: Date?
        public var count: Int
        public var kind: Kind
        public var reason: String?
    }

    /// Decides `due` (ascending, every one at or before `now`). `moreAfter`: `due` is one batch of
    /// a long list and later due times follow it, so none of it is the most recent (for
    /// `latest` and `none`, all of it is skipped).
    public static func decide(_ due: [Date], now: Date, policy: Policy, moreAfter: Bool = false) -> [Decided] {
        guard let last = due.last else { return [] }
        let latest: Date? = moreAfter ? nil : last
        var single: [(Date, Kind, String?)] = []
        for time in due {
            let late = now.timeIntervalSince(time)
            let wanted: Bool
            let reason: String?
            switch policy.catchup {
            case .latest:
                wanted = time == latest
                reason = wanted ? nil : "catchup: latest runs only the most recent missed time"
            case .none:
                wanted = time == latest && late <= onTimeGrace
                reason = wanted ? nil : "catchup: none runs no missed time"
            case .all:
                let window = policy.window ?? defaultWindow
                wanted = late <= window
                reason = wanted ? nil : "older than catchup-window \(describe(window))"
            }
            if !wanted {
                single.append((time, .skipped, reason))
            } else if let deadline = policy.deadline, late > deadline {
                single.append((time, .missed, "past its starting-deadline \(describe(deadline))"))
            } else {
                single.append((time, .fire, nil))
            }
        }
        var result: [Decided] = []
        for (time, kind, reason) in single {
            if kind != .fire, var last = result.last, last.kind == kind, last.reason == reason {
                last.through = time
                last.count += 1
                result[result.count - 1] = last
            } else {
                result.append(Decided(scheduled: time, through: nil, count: 1, kind: kind, reason: reason))
            }
        }
        return result
    }

    /// A duration as schedule messages write it: `90s` is `1m30s`.
    public static func describe(_ seconds: TimeInterval) -> String {
        DurationValue(milliseconds: Int64((seconds * 1000).rounded())).description
    }
}
