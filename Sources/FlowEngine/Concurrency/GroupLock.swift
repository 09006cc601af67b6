import Foundation

/// A run's hold on its concurrency group across processes: an exclusive `flock(2)` on
/// `<state>/locks/<group>.lock`, kept while the process lives. The kernel drops it when the
/// process ends however it ends (`kill -9` included), so a dead run never blocks its group.
/// The file says who holds it (`run=<id>`, `pid=<pid>`) so others can name, or cancel, the
/// holder. The descriptor is close-on-exec: steps never inherit the lock. Lock files are never
/// removed (removing one while another process waits on it would split the group in two).
public final class GroupLock: @unchecked Sendable {
    public let group: String
    public let path: String
    private let lock = NSLock()
    private var descriptor: Int32

    /// Who holds a group, as its lock file says.
    public struct Holder: Sendable, Equatable {
        /// The run, once the holder has created or taken it.
        public var runID: String?
        public var pid: Int32?

        public init(runID: String? = nil, pid: Int32? = nil) {
            self.runID = runID
            self.pid = pid
        }
    }

    /// Opens (creating, 0600) the group's lock file under `stateDirectory`; takes nothing yet.
    public init(stateDirectory: String, group: String) throws {
        self.group = group
        let directory = stateDirectory + "/locks"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = directory + "/" + Self.fileName(for: group)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LockError(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit {
        if descriptor >= 0 {
            _ = flock(descriptor, LOCK_UN)
            close(descriptor)
        }
    }

    /// Takes the group if no other process holds it, and writes this pid into the file.
    public func tryLock() throws -> Bool {
        try lock.withLock {
            guard descriptor >= 0 else { throw LockError(path: path, reason: "released") }
            while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                if errno == EINTR { continue }
                if errno == EWOULDBLOCK { return false }
                throw LockError(path: path, reason: String(cString: strerror(errno)))
            }
            write(Holder(runID: nil, pid: getpid()))
            return true
        }
    }

    /// Records the run that now holds the group (call after `tryLock()` succeeded).
    public func record(runID: String) {
        lock.withLock { write(Holder(runID: runID, pid: getpid())) }
    }

    /// Who holds the group, as its file says (empty fields while a holder is still writing it).
    public func holder() -> Holder {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return Holder() }
        return Self.parse(text)
    }

    /// Gives the group up. Ending the process does the same.
    public func release() {
        lock.withLock {
            guard descriptor >= 0 else { return }
            // Unlocked before it is closed: a child this process is forking at this moment
            // shares the open file description until it execs (O_CLOEXEC closes it only
            // then), and a close alone would leave the group held through that child.
            _ = flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    private func write(_ holder: Holder) {
        let text = Self.format(holder)
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    static func format(_ holder: Holder) -> String {
        (holder.runID.map { "run=\($0)\n" } ?? "") + (holder.pid.map { "pid=\($0)\n" } ?? "")
    }

    static func parse(_ text: String) -> Holder {
        var holder = Holder()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("run=") { holder.runID = String(line.dropFirst(4)) }
            if line.hasPrefix("pid=") { holder.pid = Int32(line.dropFirst(4)) }
        }
        return holder
    }

    /// The group as a file name: letters, digits, `_` and `-` kept, the rest percent-encoded; a
    /// very long name is cut and made unique with its digest.
    public static func fileName(for group: String) -> String {
        let encoded = RunID.directoryName(forStep: group)
        guard encoded.count > 200 else { return encoded + ".lock" }
        return String(encoded.prefix(160)) + "-" + Digest.of(group).replacingOccurrences(of: ":", with: "-") + ".lock"
    }

    public struct LockError: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var reason: String
        public var description: String { "cannot lock \(path): \(reason)" }
    }
}
