import FlowSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A ``ProcessSpec`` checked and resolved before anything is started, so that the common
/// launch failures are reported with a precise reason (which name, which directory) rather
/// than a bare `errno` from `posix_spawn`.
///
/// The executable is resolved here, against the `PATH` of the spec's own environment, and
/// handed to swift-subprocess as an absolute path: swift-subprocess would fall back to this
/// process's `PATH` when the child's environment has none, which is not the documented rule.
struct LaunchPlan: Sendable {
    /// The environment variable carrying ``ProcessSpec/marker``.
    static let markerVariable = "FLOW_STEP_ID"
    /// The search path when the environment has no `PATH` (what `execvp` uses).
    static let defaultSearchPath = ExecutableLookup.defaultSearchPath

    let executablePath: String
    let arguments: [String]
    /// The child's complete environment, the marker included.
    let environment: [String: String]
    let workingDirectory: String?
    let marker: String
    let timeout: Duration?
    let gracePeriod: Duration

    init(_ spec: ProcessSpec) throws(ProcessLaunchError) {
        guard !spec.marker.isEmpty, !spec.marker.utf8.contains(0) else {
            throw .invalidSpec(reason: "the marker must be non-empty and contain no NUL byte")
        }
        if spec.arguments.contains(where: { $0.utf8.contains(0) }) {
            throw .invalidSpec(reason: "an argument contains a NUL byte")
        }
        var environment = spec.environment
        environment[Self.markerVariable] = spec.marker
        for (name, value) in environment {
            guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "=")), !name.utf8.contains(0) else {
                throw .invalidSpec(reason: "environment variable names must be non-empty and contain no '=' or NUL")
            }
            guard !value.utf8.contains(0) else {
                throw .invalidSpec(reason: "the value of environment variable \(name) contains a NUL byte")
            }
        }

        try Self.checkSize(arguments: spec.arguments, environment: environment)

        var directory: String? = nil
        if let wd = spec.workingDirectory {
            try Self.checkWorkingDirectory(wd)
            directory = wd
        }
        self.executablePath = try Self.resolveExecutable(
            spec.executable,
            searchPath: spec.environment["PATH"] ?? Self.defaultSearchPath,
            relativeTo: directory
        )
        self.arguments = spec.arguments
        self.environment = environment
        self.workingDirectory = directory
        self.marker = spec.marker
        self.timeout = spec.timeout.map { max($0, .zero) }
        self.gracePeriod = max(spec.gracePeriod, .zero)
    }

    // MARK: - Checks

    /// Linux's MAX_ARG_STRLEN: the longest one argument or `NAME=value` string may be, its NUL included.
    static let maximumStringSize = 32 * 4096

    /// What execve would refuse with E2BIG, found first so the error can say which variable:
    /// one string over ``maximumStringSize``, or all of them (with their pointers) over ARG_MAX.
    static func checkSize(arguments: [String], environment: [String: String]) throws(ProcessLaunchError) {
        var total = 0
        for argument in arguments {
            let size = argument.utf8.count + 1
            if size > maximumStringSize { throw .tooLarge(name: "an argument", bytes: size, limit: maximumStringSize) }
            total += size + MemoryLayout<UnsafePointer<CChar>>.size
        }
        for (name, value) in environment {
            let size = name.utf8.count + value.utf8.count + 2
            if size > maximumStringSize { throw .tooLarge(name: "environment variable \(name)", bytes: size, limit: maximumStringSize) }
            total += size + MemoryLayout<UnsafePointer<CChar>>.size
        }
        let limit = sysconf(Int32(_SC_ARG_MAX))
        // The executable's path is passed too; a page of slack for what the kernel adds.
        if limit > 0, total + 4096 > limit { throw .tooLarge(name: nil, bytes: total, limit: limit) }
    }

    static func checkWorkingDirectory(_ path: String) throws(ProcessLaunchError) {
        guard !path.isEmpty, !path.utf8.contains(0) else {
            throw .badWorkingDirectory(path: path, reason: "empty or contains a NUL byte")
        }
        guard let mode = fileMode(path) else {
            throw .badWorkingDirectory(path: path, reason: "does not exist")
        }
        guard mode & S_IFMT == S_IFDIR else {
            throw .badWorkingDirectory(path: path, reason: "not a directory")
        }
        guard access(path, X_OK) == 0 else {
            throw .badWorkingDirectory(path: path, reason: "cannot be entered: \(errnoText(errno))")
        }
    }

    /// Resolves `name` by ``ExecutableLookup``'s rules (`execvp`'s, absolute `PATH` entries
    /// only), its failure told as a ``ProcessLaunchError``.
    static func resolveExecutable(_ name: String, searchPath: String, relativeTo directory: String?) throws(ProcessLaunchError) -> String {
        do {
            return try ExecutableLookup.resolve(name, searchPath: searchPath, relativeTo: directory)
        } catch {
            switch error {
            case .notFound(let name): throw .executableNotFound(name: name)
            case .notExecutable(let path, let reason): throw .notExecutable(path: path, reason: reason)
            }
        }
    }

    // MARK: - Helpers

    /// `st_mode` of `path` (following symlinks), or nil when it cannot be stat'ed.
    static func fileMode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode
    }
}
