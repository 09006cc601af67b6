/// Why a ``StepLogWriter`` could not be created or written.
public enum StepLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `cap` outside ``StepLogWriter/capRange``.
    case capOutOfRange(Int)
    /// A system call failed: which one, on which path, with `errno`.
    case system(call: String, path: String, errno: Int32)
    /// `write` after `close`.
    case closed(path: String)

    public var description: String {
        switch self {
        case .capOutOfRange(let cap):
            "log cap \(cap) bytes is outside \(StepLogWriter.capRange.lowerBound)...\(StepLogWriter.capRange.upperBound) bytes"
        case .system(let call, let path, let code):
            "\(call) \(path): \(LogFile.errorText(code)) (errno \(code))"
        case .closed(let path):
            "log \(path) is already closed"
        }
    }
}
