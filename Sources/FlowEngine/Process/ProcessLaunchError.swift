/// Why a ``ProcessSpec`` could not be started. The description names the executable or
/// directory concerned; it never contains arguments or environment values.
public enum ProcessLaunchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No file by that name, or no such name in any directory of `PATH`.
    case executableNotFound(name: String)
    /// The file exists but cannot be executed (a directory, no execute permission).
    case notExecutable(path: String, reason: String)
    /// The working directory does not exist, is not a directory, or cannot be entered.
    case badWorkingDirectory(path: String, reason: String)
    /// The spec itself is unusable (empty marker, `=` or NUL in an environment name).
    case invalidSpec(reason: String)
    /// The operating system refused to start it (e.g. `posix_spawn` failed).
    case spawnFailed(executable: String, reason: String)

    public var description: String {
        switch self {
        case .executableNotFound(let name):
            return "executable not found: '\(name)'"
        case .notExecutable(let path, let reason):
            return "not executable: '\(path)' (\(reason))"
        case .badWorkingDirectory(let path, let reason):
            return "bad working directory: '\(path)' (\(reason))"
        case .invalidSpec(let reason):
            return "invalid process spec: \(reason)"
        case .spawnFailed(let executable, let reason):
            return "could not start '\(executable)': \(reason)"
        }
    }
}
