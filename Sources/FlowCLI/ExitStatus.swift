/// The process exit codes, in one place: 0 succeeded, 1 a run failed, 2 bad input or usage,
/// 130 cancelled.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case failure = 1
    case invalidInput = 2
    case cancelled = 130
}
