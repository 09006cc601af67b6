#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// flow's one way of finding the program a name stands for, used by every child it starts
/// (steps, `credential_process`, git, the container-engine probe): `execvp(3)`'s rules, except
/// that only absolute `PATH` entries are searched.
///
/// - A name with a `/` is that file, taken relative to the given directory (else ours).
/// - A bare name is looked up in each absolute entry of the search path, in order; empty and
///   relative entries are skipped (they would make the answer depend on the working directory).
/// - The search path is the environment's `PATH`, or ``defaultSearchPath`` when it has none.
/// - A candidate that exists but cannot be run (a directory, no execute permission) does not
///   stop the search; when nothing runnable is found, the first such refusal is reported
///   rather than "not found", as `execvp` reports `EACCES`.
public enum ExecutableLookup {
    /// The search path when the environment has no `PATH` (what `execvp` uses).
    public static let defaultSearchPath = "/usr/bin:/bin"

    /// The path of the program `name` stands for, searched in the `PATH` of `environment`.
    public static func resolve(_ name: String, environment: [String: String], relativeTo directory: String? = nil)
        throws(ExecutableLookupError) -> String {
        try resolve(name, searchPath: environment["PATH"] ?? defaultSearchPath, relativeTo: directory)
    }

    /// The path of the program `name` stands for, searched in `searchPath` (`:`-separated).
    public static func resolve(_ name: String, searchPath: String, relativeTo directory: String? = nil)
        throws(ExecutableLookupError) -> String {
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw .notFound(name: name)
        }
        if name.contains("/") {
            let path = name.hasPrefix("/") ? name : join(directory ?? currentDirectory(), name)
            try checkExecutable(path, name: name)
            return path
        }
        var firstRefusal: ExecutableLookupError? = nil
        for entry in searchPath.split(separator: ":", omittingEmptySubsequences: true) where entry.hasPrefix("/") {
            let candidate = join(String(entry), name)
            guard fileMode(candidate) != nil else { continue }
            do {
                try checkExecutable(candidate, name: name)
                return candidate
            } catch {
                // Like execvp: remember the first refusal, keep searching.
                if firstRefusal == nil { firstRefusal = error }
            }
        }
        throw firstRefusal ?? .notFound(name: name)
    }

    /// Succeeds when `path` is a regular file this process may execute; `name` is what the
    /// caller asked for (named when the file does not exist).
    public static func checkExecutable(_ path: String, name: String) throws(ExecutableLookupError) {
        guard let mode = fileMode(path) else {
            throw .notFound(name: name)
        }
        guard mode & S_IFMT == S_IFREG else {
            throw .notExecutable(path: path, reason: mode & S_IFMT == S_IFDIR ? "is a directory" : "not a regular file")
        }
        guard access(path, X_OK) == 0 else {
            throw .notExecutable(path: path, reason: errnoText(errno))
        }
    }

    // MARK: - Helpers

    /// `st_mode` of `path` (following symlinks), or nil when it cannot be stat'ed.
    static func fileMode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Why ``ExecutableLookup`` found no program to run. The description names the program or
/// the file concerned, nothing else.
public enum ExecutableLookupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No file by that name, or no such name in any absolute directory of the search path.
    case notFound(name: String)
    /// The file exists but cannot be executed (a directory, no execute permission); for a bare
    /// name, the first such file on the search path.
    case notExecutable(path: String, reason: String)

    /// What went wrong, naming the program or file.
    public var description: String {
        switch self {
        case .notFound(let name): "executable not found: '\(name)'"
        case .notExecutable(let path, let reason): "not executable: '\(path)' (\(reason))"
        }
    }
}
