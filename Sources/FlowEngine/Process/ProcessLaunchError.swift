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
    /// The arguments and environment are over what the kernel passes to a new program: one
    /// string over 128 KiB (`name` says which variable or argument), or all of them together
    /// over ARG_MAX.
    case tooLarge(name: String?, bytes: Int, limit: Int)

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
        case .tooLarge(let name?, let bytes, let limit):
            return "\(name) is \(bytes / 1024) KiB; Linux passes at most \(limit / 1024) KiB in one environment variable or argument: "
                + "write large values to a file and pass its path"
        case .tooLarge(nil, let bytes, let limit):
            return "the environment and arguments are \(bytes / 1024) KiB together; Linux starts a program with at most \(limit / 1024) KiB of them: "
                + "write large values to files and pass their paths"
        }
    }
}
