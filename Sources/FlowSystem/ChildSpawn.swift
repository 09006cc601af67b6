import CFlowSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// posix_spawn(3) done one way for every child flow starts (the step runners, ``ChildProcess``
/// and the tests' helpers): all signals default and unblocked, standard input, output and
/// error on the given descriptors, and every other descriptor closed in the child. Closing
/// them all matters because another thread may open a descriptor without close-on-exec at any
/// moment (Foundation's `Pipe` does); a child that inherited it would hold a pipe or socket
/// open that somebody waits to see closed.
public enum ChildSpawn {
    /// Starts `path` with `arguments` (argv[0] is `name`, or `path` when nil) and exactly `environment`, in
    /// `directory` (nil: ours). `input`, `output` and `error` are descriptors of 3 or above, or
    /// -1 for /dev/null. `newSession`: the child leads a new session; otherwise a new process
    /// group. `subreaper`: the child also becomes a child subreaper, so what it starts and
    /// orphans stays in its tree (a step's leader; see FlowEngine's `AdoptedOrphans`). Returns 0 with
    /// `pid` set, or the error number (exec and chdir failures included). The child counts as
    /// flow's own (never swept as an orphan) until ``reaped(_:)``.
    public static func spawn(_ path: String, _ arguments: [String], name: String? = nil, environment: [String: String],
                             directory: String?, input: Int32, output: Int32, error: Int32, newSession: Bool,
                             subreaper: Bool = false, pid: inout pid_t) -> Int32 {
        let argv = CStrings([name ?? path] + arguments)
        let envp = CStrings(environment.map { "\($0.key)=\($0.value)" })
        defer {
            argv.release()
            envp.release()
        }
        return path.withCString { path in
            guard let directory else {
                return flow_spawn_child(&pid, path, argv.pointers, envp.pointers, nil, input, output, error, newSession ? 1 : 0, subreaper ? 1 : 0)
            }
            return directory.withCString {
                flow_spawn_child(&pid, path, argv.pointers, envp.pointers, $0, input, output, error, newSession ? 1 : 0, subreaper ? 1 : 0)
            }
        }
    }

    /// Tells the spawn record that `pid`, a child ``spawn`` started, has been reaped.
    public static func reaped(_ pid: pid_t) {
        flow_child_reaped(pid)
    }

    /// A close-on-exec pipe with blocking ends of 3 or above, or nil with errno set.
    public static func pipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [0, 0]
        return flow_pipe(&ends) == 0 ? (ends[0], ends[1]) : nil
    }
}

/// A NULL-terminated array of C strings, freed by `release()`.
private struct CStrings {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { pointers[index] = strdup(string) }
        pointers[strings.count] = nil
        count = strings.count
    }

    func release() {
        for index in 0..<count { free(pointers[index]) }
        pointers.deallocate()
    }
}
