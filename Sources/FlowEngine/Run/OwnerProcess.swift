import Foundation

/// Whether the pid recorded as a run's owner is still that owner, read from Linux `/proc`: a
/// `flow` process (by its command name) that started no later than the moment the run was taken.
/// A pid freed when the owner died and reused by another process fails one test or the other,
/// so a cancel never signals a stranger.
public struct OwnerProcess: Sendable, Equatable {
    /// The command name (`/proc/<pid>/comm`).
    public var command: String
    /// When the process started (boot time plus its start in clock ticks).
    public var startedAt: Date

    /// Clock granularity between `/proc` and the time recorded in the database.
    public static let slack: TimeInterval = 5

    /// The process `pid`, or nil when it does not exist (or is a zombie).
    public static func read(_ pid: Int32) -> OwnerProcess? {
        guard pid > 0,
              let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let system = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let fields = statFields(stat), fields.state != "Z", fields.state != "X",
              let boot = bootTime(system) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return OwnerProcess(command: comm.trimmingCharacters(in: .whitespacesAndNewlines),
                            startedAt: Date(timeIntervalSince1970: Double(boot) + Double(fields.startTicks) / ticks))
    }

    /// Whether this process can be the owner that took a run at `takenAt`: it is `flow` (or
    /// carries the name this very executable runs under) and it already existed then.
    public func isOwner(takenAt: Date, ownCommand: String? = OwnerProcess.read(getpid())?.command) -> Bool {
        let isFlow = command == "flow" || command == ownCommand
        return isFlow && startedAt <= takenAt.addingTimeInterval(Self.slack)
    }

    /// State letter and start time (field 22, clock ticks since boot) of `/proc/<pid>/stat`.
    static func statFields(_ text: String) -> (state: Character, startTicks: UInt64)? {
        // "pid (comm) S ppid ..." — comm may hold spaces and parentheses, so split after the last ')'.
        guard let close = text.lastIndex(of: ")") else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // rest[0] is field 3 (state); field 22 is rest[19].
        guard rest.count > 19, let state = rest[0].first, let start = UInt64(rest[19]) else { return nil }
        return (state, start)
    }

    /// `btime` of `/proc/stat`: the boot time in seconds since the epoch.
    static func bootTime(_ text: String) -> Int64? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int64(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
