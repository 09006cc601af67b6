import Foundation
import FlowCore

/// How to run a plan: where state lives, what the world looks like, and the seams.
public struct RunOptions: Sendable {
    /// The state directory (`runs/`): `flow.db` and per-run logs.
    public var stateDirectory: String
    /// The directory steps run in unless they say `working-directory`.
    public var workingDirectory: String
    /// The environment flow was started with: the base of every step's environment, and where
    /// secret names get their first values (the pipeline's and steps' `env:` may set others).
    public var environment: [String: String]
    /// What created the run (for a takeover, the run's recorded trigger): `run.trigger` reads its kind.
    public var trigger: RunTrigger
    /// What takes the run over this time (`resume`, `retry`, `codebuild`); nil for a new run.
    public var launch: RunTrigger?
    public var gitSHA: String?
    public var gitBranch: String?
    /// The pipeline file's text, stored with the run for resume.
    public var source: String
    /// Between SIGTERM and SIGKILL when a step is stopped.
    public var gracePeriod: Duration
    /// How often the owner records that it is alive; `nil` turns the heartbeat off (tests).
    public var heartbeatInterval: Duration?
    /// Full jitter: a delay `d` becomes a uniform draw from `0...d`. Injected for tests.
    public var jitter: @Sendable (Double) -> Double
    /// What step types need beyond processes and the clock (HTTP and AWS clients), by key.
    public var resources: StepResources
    /// Set by whoever carries out steps' rerun requests when a pass ends (``RunLauncher``); a
    /// run without it refuses requests.
    public var reruns: RerunPolicy?
    /// Whether memoized steps (`cache:`) may reuse an earlier success; `--no-cache` turns it
    /// off (they run, and their successes are saved again).
    public var readCache = true

    public init(stateDirectory: String, workingDirectory: String, environment: [String: String], trigger: RunTrigger = .manual,
                gitSHA: String? = nil, gitBranch: String? = nil, source: String = "", gracePeriod: Duration = .seconds(5),
                heartbeatInterval: Duration? = .seconds(10), jitter: @escaping @Sendable (Double) -> Double = { Double.random(in: 0...$0) },
                resources: StepResources = StepResources()) {
        self.resources = resources
        self.stateDirectory = stateDirectory
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.trigger = trigger
        self.gitSHA = gitSHA
        self.gitBranch = gitBranch
        self.source = source
        self.gracePeriod = gracePeriod
        self.heartbeatInterval = heartbeatInterval
        self.jitter = jitter
    }
}

/// Short, sortable, typeable run ids: `20261122-0200-7f3a` (UTC time, then 4 hex digits).
public enum RunID {
    public static func make(at date: Date, suffix: UInt16 = UInt16.random(in: 0...UInt16.max)) -> String {
        let c = CivilTime(date)
        let hex = String(suffix, radix: 16)
        return CivilTime.digits(c.year, 4) + CivilTime.digits(c.month, 2) + CivilTime.digits(c.day, 2) + "-"
            + CivilTime.digits(c.hour, 2) + CivilTime.digits(c.minute, 2) + "-"
            + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// A step id as a directory name: letters, digits, `_` and `-` kept, everything else
    /// (matrix brackets, user values) percent-encoded, so no id can escape the run folder.
    public static func directoryName(forStep id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

/// This machine's name, from gethostname(2) (no DNS lookup, unlike `ProcessInfo.hostName`).
public enum Host {
    public static func name() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
