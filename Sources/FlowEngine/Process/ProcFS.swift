#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Read-only queries over Linux `/proc`, used to find a step's descendants (by the
/// `FLOW_STEP_ID` entry of their environment) and the live members of its process group.
///
/// Every query is best effort: a process can vanish, exec, or be unreadable (another user)
/// between listing and reading; such entries are skipped. Plain `open`/`read` keep memory
/// constant whatever the size of an `environ` file.
enum ProcFS {
    /// A process's scheduler state and process group, from `/proc/<pid>/stat`.
    struct Status: Sendable, Hashable {
        /// The state letter (`R`, `S`, `D`, `Z`, `X`, `T`, ...).
        var state: UInt8
        var parent: pid_t
        var processGroup: pid_t

        /// Dead or a zombie: it runs no more code and holds no more files.
        var isGone: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") || state == UInt8(ascii: "x") }
    }

    /// The numeric entries of `/proc`.
    static func processIDs() -> [pid_t] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var result: [pid_t] = []
        while let entry = readdir(directory) {
            let pid: pid_t? = withUnsafeBytes(of: entry.pointee.d_name) { raw -> pid_t? in
                var value: pid_t = 0
                var digits = 0
                for byte in raw {
                    if byte == 0 { break }
                    guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 10 else { return nil }
                    value = value &* 10 &+ pid_t(byte - UInt8(ascii: "0"))
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            if let pid { result.append(pid) }
        }
        return result
    }

    /// State and process group of `pid`, or nil if it is gone or unreadable.
    static func status(of pid: pid_t) -> Status? {
        var bytes: [UInt8] = []
        let complete = readFile("/proc/\(pid)/stat", chunkSize: 1024) { chunk in
            bytes.append(contentsOf: chunk)
            return bytes.count < 8192
        }
        guard complete, let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After "pid (comm)": " S ppid pgrp ..."
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), maxSplits: 4, omittingEmptySubsequences: true)
        guard fields.count >= 3, let state = fields[0].first, let parent = parseInt(fields[1]), let group = parseInt(fields[2]) else { return nil }
        return Status(state: state, parent: parent, processGroup: group)
    }

    /// Whether `/proc/<pid>/environ` holds exactly `entry` (e.g. `FLOW_STEP_ID=x`) as one of its
    /// NUL-separated entries. Zombies and kernel threads have an empty environ, so never match.
    static func environment(of pid: pid_t, contains entry: [UInt8]) -> Bool {
        var matcher = EntryMatcher(needle: entry)
        var found = false
        _ = readFile("/proc/\(pid)/environ", chunkSize: 16 * 1024) { chunk in
            found = matcher.feed(chunk)
            return !found
        }
        return found || matcher.finish()
    }

    /// Calls `body` for each process (other than this one and init) whose environment holds
    /// `entry`, right after reading that process's environment, so that whatever `body` does
    /// (kill it) follows the check as closely as possible: a pid freed and reused in between
    /// would need the whole pid space to be cycled within microseconds. With `within`, only
    /// pids in that range are read (see ``pidsAllocated(from:)``).
    static func forEachProcess(withEnvironmentEntry entry: [UInt8], within range: ClosedRange<pid_t>? = nil, _ body: (pid_t) -> Void) {
        let me = getpid()
        // A narrow range is cheaper to probe pid by pid (a missing one fails its `open`) than
        // to list all of /proc.
        let candidates: [pid_t]
        if let range, range.count <= 256 {
            candidates = Array(range)
        } else {
            candidates = processIDs().filter { range?.contains($0) ?? true }
        }
        for pid in candidates where pid != me && pid > 1 && environment(of: pid, contains: entry) {
            body(pid)
        }
    }

    /// The pids that `pid` and the processes created after it can hold: `pid ... ns_last_pid`, as long as
    /// pid allocation (which counts up, then wraps to the bottom) has not wrapped since `pid` was
    /// handed out. Nil when that cannot be told: allocation wrapped (the last pid is below
    /// `pid`), `ns_last_pid` is unreadable, or `/proc` shows another pid namespace than ours.
    ///
    /// A step's descendants are all created after the step's own process, so a sweep for it and
    /// them need only read these pids' environments: usually a handful, rather than every process
    /// on the machine, which cost more than the rest of a short step's overhead together.
    /// It cannot tell a wrap that went all the way round back above `pid`; the caller only
    /// uses it for processes that lived too briefly for that (see ``StraySweeper/sweepAfter(_:marker:started:)``).
    static func pidsAllocated(from pid: pid_t) -> ClosedRange<pid_t>? {
        guard sameNamespace else { return nil }
        var bytes: [UInt8] = []
        guard readFile("/proc/sys/kernel/ns_last_pid", chunkSize: 32, { bytes.append(contentsOf: $0); return bytes.count < 32 }),
              let last = parseInt(bytes.last == UInt8(ascii: "\n") ? bytes.dropLast() : bytes[...]),
              last >= pid else { return nil }
        return pid...last
    }

    /// Whether `/proc` shows our own pid namespace (then `ns_last_pid` and `/proc` agree).
    static let sameNamespace: Bool = {
        var target = [CChar](repeating: 0, count: 32)
        let count = readlink("/proc/self", &target, target.count - 1)
        guard count > 0 else { return false }
        return parseInt(ArraySlice(target[0..<count].map { UInt8(bitPattern: $0) })) == getpid()
    }()

    /// Members of process group `group` that are neither zombies nor dead.
    static func liveMembers(ofGroup group: pid_t) -> [pid_t] {
        processIDs().filter { pid in
            guard let status = status(of: pid) else { return false }
            return status.processGroup == group && !status.isGone
        }
    }

    /// The children of this process, from `/proc/self/task/<tid>/children`: of the main thread
    /// only (one small read), or of every thread. A child is listed under the thread that forked
    /// it; an orphan re-parented to this process (a child subreaper) under the first live thread
    /// of the process, its main thread (the kernel's `find_new_reaper` → `find_alive_thread`).
    static func childrenOfThisProcess(allThreads: Bool) -> [pid_t] {
        var threads = [String(getpid())]
        if allThreads, let directory = opendir("/proc/self/task") {
            defer { closedir(directory) }
            threads = []
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name.first?.isNumber == true { threads.append(name) }
            }
        }
        var children: [pid_t] = []
        for thread in threads {
            var bytes: [UInt8] = []
            readFile("/proc/self/task/\(thread)/children", chunkSize: 4096) { bytes.append(contentsOf: $0); return true }
            children += bytes.split(separator: UInt8(ascii: " ")).compactMap { parseInt($0.prefix { $0 >= UInt8(ascii: "0") }) }
        }
        return children
    }

    // MARK: - Plumbing

    /// Streams a file to `consume` in chunks; `consume` returns false to stop early.
    /// Returns false if the file could not be opened or a read failed.
    @discardableResult
    static func readFile(_ path: String, chunkSize: Int, _ consume: (ArraySlice<UInt8>) -> Bool) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return UntrustedFile.readChunks(fd, chunkSize: chunkSize, consume) == nil
    }

    static func parseInt(_ bytes: ArraySlice<UInt8>) -> pid_t? {
        guard !bytes.isEmpty, bytes.count <= 10 else { return nil }
        var value: pid_t = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value &* 10 &+ pid_t(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Matches one exact entry in a NUL-separated stream fed in arbitrary pieces.
    struct EntryMatcher {
        let needle: [UInt8]
        /// Bytes of the current entry matched so far, or nil once it cannot match.
        var matched: Int? = 0

        init(needle: [UInt8]) { self.needle = needle }

        /// Returns true as soon as a complete entry equal to the needle has been seen.
        mutating func feed(_ bytes: ArraySlice<UInt8>) -> Bool {
            for byte in bytes {
                if byte == 0 {
                    if matched == needle.count { return true }
                    matched = 0
                } else if let count = matched {
                    matched = (count < needle.count && needle[count] == byte) ? count + 1 : nil
                }
            }
            return false
        }

        /// Call at end of input: a last entry without a trailing NUL.
        func finish() -> Bool { matched == needle.count && !needle.isEmpty }
    }
}
